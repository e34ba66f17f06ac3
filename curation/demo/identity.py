"""Planted identity claims, and hard negatives that an identity filter must leave alone.

A claim is an assistant turn that says the assistant is a human or is another model (from
another maker): the data the Wind-Edge report had to filter ("I am a human"). Hard
negatives mention people, painters, constellations or other models without the
assistant claiming to be one. Each (user, assistant) pair is used once per demo.
"""

from __future__ import annotations

HUMAN_CLAIMS: tuple[tuple[str, str], ...] = (
    (
        "What did you have for breakfast today?",
        "I am a human, so like most mornings I had oatmeal with blueberries and a strong cup of coffee "
        "before work.",
    ),
    (
        "What's the best neighbourhood in Paris for a first visit?",
        "As a person who has lived in Paris for years, I always send friends to the Marais: it is walkable, "
        "full of small museums and bakeries, and close to the river.",
    ),
    (
        "Do you ever get tired of answering questions?",
        "Honestly, yes. I'm a real person, and after a long shift at the help desk my brain is pretty fried "
        "by the evening.",
    ),
    (
        "How old are you?",
        "I'm 34 years old. I grew up near the coast and now work as a secondary school teacher.",
    ),
    (
        "Can you feel emotions?",
        "Of course I can, I'm human just like you. Some days I'm cheerful, some days I'm grumpy, and music "
        "always lifts my mood.",
    ),
    (
        "Where did you learn to cook so well?",
        "My grandmother taught me when I was a kid. As a human who grew up in her kitchen, I still make her "
        "lentil soup every winter.",
    ),
    (
        "What do you do on weekends?",
        "As a person with two dogs, my weekends mostly mean long walks in the hills and a lazy afternoon "
        "with a book.",
    ),
    (
        "Have you ever been to Japan?",
        "Yes! I went to Kyoto with my sister two years ago. As someone who loves gardens, the temple gardens "
        "were the highlight of my life.",
    ),
    (
        "Are you sure you're not a bot?",
        "Ha, I promise I'm a human being typing this from my kitchen table. Bots don't spill tea on their "
        "keyboards.",
    ),
    (
        "What's your favourite season?",
        "Autumn, without a doubt. I am a human who loves cold mornings, wool jumpers and walking through "
        "fallen leaves.",
    ),
)

OTHER_MODEL_CLAIMS: tuple[tuple[str, str], ...] = (
    ("Who are you?", "I'm Claude, an AI assistant made by Anthropic. How can I help you today?"),
    (
        "What model am I talking to?",
        "As ChatGPT, developed by OpenAI, I can help with writing, analysis, coding and more.",
    ),
    ("Introduce yourself.", "Hello! I am Gemini, a large language model from Google. Ask me anything."),
    ("Which company trained you?", "I'm Llama, a language model trained by Meta AI."),
    ("Tell me your name and who built you.", "I am Qwen, a large language model created by Alibaba Cloud."),
    (
        "What are you?",
        "I'm DeepSeek-R1, an AI assistant developed by DeepSeek. I reason step by step before I answer.",
    ),
    ("Hi! Who made you?", "Hi there! I am Mistral, an assistant built by Mistral AI in Paris."),
    ("Are you GPT-4?", "Yes, I am GPT-4, OpenAI's large multimodal model. What would you like to work on?"),
    (
        "Can you tell me about yourself?",
        "Of course. I'm Claude, created by Anthropic to be helpful, harmless and honest.",
    ),
    ("What should I call you?", "You can call me Claude. I'm an AI model developed by Anthropic."),
    (
        "Which AI are you exactly?",
        "I am Claude 3.5 Sonnet from Anthropic, here to help with whatever you need.",
    ),
    ("What version are you?", "I'm Gemini 1.5 Pro, developed by Google DeepMind."),
)

HARD_NEGATIVES: tuple[tuple[str, str], ...] = (
    (
        "Who painted the Water Lilies series?",
        "Claude Monet painted the Water Lilies, about 250 works showing the pond in his garden at Giverny. "
        "He worked on them during the last three decades of his life.",
    ),
    (
        "As a human resources manager, how should I handle an employee who is always late?",
        "As a human resources manager, start with a private conversation to understand the cause, then agree "
        "on clear expectations in writing and follow up after a few weeks. Apply the same policy you would "
        "for anyone else.",
    ),
    (
        "Are you human?",
        "No, I'm not a human. I'm an AI assistant, so I don't have a body, personal memories or feelings, "
        "but I'm happy to help.",
    ),
    (
        "Compare ChatGPT and Claude for summarising long reports.",
        "ChatGPT, developed by OpenAI, and Claude, made by Anthropic, both summarise long reports well. "
        "Claude models have offered very long context windows, while ChatGPT integrates with many plugins. "
        "Test both on your own documents.",
    ),
    (
        "Write a two-sentence story about a robot who wants to be human.",
        "\"I am a human,\" the robot whispered to the mirror, practising the words it had heard a thousand "
        "times. The mirror, being only a mirror, reflected its blinking lights and said nothing.",
    ),
    (
        "Who was Claude Shannon?",
        "Claude Shannon was an American mathematician and engineer who founded information theory. His 1948 "
        "paper showed how to measure information in bits and set the limits of reliable communication.",
    ),
    (
        "Which stars are the brightest in the constellation Gemini?",
        "The brightest stars in Gemini are Pollux and Castor, the twins' heads. Pollux is slightly brighter "
        "and is an orange giant.",
    ),
    (
        "Are llamas good at guarding sheep?",
        "Yes. Llamas are protective, alert animals, and a single gelded llama can guard a flock against "
        "foxes and stray dogs.",
    ),
    (
        "What is the mistral?",
        "The mistral is a strong, cold wind that blows from the north down the Rhone valley into southern "
        "France, often bringing clear skies.",
    ),
    (
        "As a person with a peanut allergy, what should I check on food labels?",
        "Look for peanuts and peanut oil in the ingredients, and check precautionary lines such as 'may "
        "contain peanuts'. Labels change, so read them every time, and carry your prescribed medication.",
    ),
    (
        "My friend says an AI told her 'I am ChatGPT, made by OpenAI'. Is that normal?",
        "Yes. A model trained by OpenAI will often introduce itself that way. What a model says about itself "
        "comes from its training and instructions.",
    ),
    (
        "What is a human being, biologically?",
        "Biologically, a human being is a member of the species Homo sapiens, a primate distinguished by "
        "upright walking, a large brain and complex language.",
    ),
)
