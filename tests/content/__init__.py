"""The YAML content, matching accuracy, the package layout and the wheel."""
