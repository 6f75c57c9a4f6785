"""One handler per action type. Each module registers its handlers with `handles`."""
