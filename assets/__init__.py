"""Screenshots and images shipped with prompt-tracking, loaded with importlib.resources."""
