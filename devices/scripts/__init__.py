"""The automation scripts, each a sequence of named steps run on one phone."""
