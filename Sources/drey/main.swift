import DreyCLI
