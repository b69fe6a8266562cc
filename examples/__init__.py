"""The example project's inputs, shipped inside the package so `qualcode demo` runs anywhere."""
