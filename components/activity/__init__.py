"""The Activity tab."""
