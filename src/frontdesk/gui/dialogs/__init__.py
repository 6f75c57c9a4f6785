"""Small dialogs shared by several screens."""
