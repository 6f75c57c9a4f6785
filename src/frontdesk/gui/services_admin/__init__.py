"""The Services screen: what the clinic sells, set up by its admins."""
