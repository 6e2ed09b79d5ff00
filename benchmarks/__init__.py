"""Scripts that print measured figures (`make bench`); run each as a file. A package so that they
can share benchmarks.production_env."""
