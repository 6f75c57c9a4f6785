"""Forms: the list of form instances, the filler and the signature pad."""
