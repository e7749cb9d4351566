"""Reads and checks every YAML file of dialogs/ and knowledge/ (errors name file, line and entry) and builds the
Content bundle."""
