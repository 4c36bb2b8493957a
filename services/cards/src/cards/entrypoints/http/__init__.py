"""HTTP entrypoint: the Litestar app and its controllers."""
