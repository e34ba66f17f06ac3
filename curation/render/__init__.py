"""Render stage: chat templates, loss spans and the train/serve consistency check."""

from curation.render.batch import render_batch, render_schema
from curation.render.consistency import check_mix_template
from curation.render.identity import identity_system_message
from curation.render.templates import ChatTemplate, known_templates, load_template

__all__ = [
    "ChatTemplate",
    "check_mix_template",
    "identity_system_message",
    "known_templates",
    "load_template",
    "render_batch",
    "render_schema",
]
