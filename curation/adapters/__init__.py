"""The adapters, by the name a manifest or `curate ingest --adapter` uses."""

from __future__ import annotations

from curation.adapters.alpaca import Alpaca
from curation.adapters.base import Adapter
from curation.adapters.code_files import CodeFiles
from curation.adapters.distill import DistillColumns, DistillMessages, DistillShareGPT
from curation.adapters.documents import Documents
from curation.adapters.openai_messages import OpenAIMessages
from curation.adapters.openai_parts import OpenAIParts
from curation.adapters.opencoder import OpenCoderSFT
from curation.adapters.openhermes import OpenHermes
from curation.adapters.openmath1 import OpenMath1
from curation.adapters.openmath2 import OpenMath2
from curation.adapters.openorca import OpenOrca
from curation.adapters.platypus import Platypus
from curation.adapters.sharegpt import ShareGPT
from curation.adapters.stem_cot import StemCoT, domain_from_dataset_name

ADAPTERS: dict[str, type[Adapter]] = {
    cls.name: cls
    for cls in (
        Alpaca,
        OpenOrca,
        OpenHermes,
        ShareGPT,
        OpenAIMessages,
        OpenAIParts,
        Platypus,
        OpenCoderSFT,
        OpenMath1,
        OpenMath2,
        StemCoT,
        DistillMessages,
        DistillColumns,
        DistillShareGPT,
        Documents,
        CodeFiles,
    )
}


def get_adapter(name: str, **options: object) -> Adapter:
    """The adapter called `name`, configured with `options`.

    Raises ValueError naming the unknown adapter and the known ones, or (from the adapter)
    the unknown option and the options it takes.
    """
    cls = ADAPTERS.get(name)
    if cls is None:
        raise ValueError(f"unknown adapter {name!r}; known adapters: {', '.join(sorted(ADAPTERS))}")
    return cls(**options)


__all__ = ["ADAPTERS", "Adapter", "domain_from_dataset_name", "get_adapter"]
