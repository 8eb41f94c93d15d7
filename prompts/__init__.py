"""Prompt templates (plain .txt files beside this file), installed as policykb.templates."""
