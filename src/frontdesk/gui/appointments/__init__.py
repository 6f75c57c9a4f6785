"""One appointment in full, and the helpers the desk's appointment lists share."""
