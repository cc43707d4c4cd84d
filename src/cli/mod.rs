//! The `custlens` command: the engine on the command line.
