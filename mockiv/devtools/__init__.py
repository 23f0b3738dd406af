"""Developer tools shipped with mockiv: synthetic speech for tests, benchmarks and demos."""
