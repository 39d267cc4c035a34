"""Training of the bundled Matryoshka ResNet and its fixed-feature baselines."""
