"""The review console: server-rendered pages where reviewers sign in and decide held cases."""
