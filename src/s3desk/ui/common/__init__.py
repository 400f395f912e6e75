"""Words and questions every view shares: names, sizes and rates, the core's phrases
translated, and the yes/no question that names its buttons."""
