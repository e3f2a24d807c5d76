// The (never built) library target Cargo needs for the dependencies-only package in Cargo.toml.
