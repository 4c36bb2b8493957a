"""What the cards use cases need from the outside world, as Protocols."""
