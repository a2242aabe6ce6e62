"""The teaching app (browser, Mesa SolaraViz)."""
