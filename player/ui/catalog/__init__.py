"""The catalog sidebar: model, filter, row painter and panel."""
