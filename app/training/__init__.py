"""Training sessions: a network, its data and optimizer, its history, and the frames it streams."""
