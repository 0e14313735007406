"""PilotWatch: CLI, configuration and the pipeline that wires the stage packages."""
