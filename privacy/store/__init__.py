"""Tables and engines of the two databases (the data and the key store), and their migrations."""
