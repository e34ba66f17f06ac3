"""The regular expressions of the identity-claims filter (see identity.py), compiled once.

Two tiers, because most assistant turns mention none of the trigger words:

* HUMAN_KEYWORDS / MODEL_KEYWORDS: cheap, lookaround-free patterns run by polars over the
  whole column. Every precise pattern needs one of them, so a turn they miss cannot match.
* HUMAN_RES / MODEL_* (the ``regex`` module, case-insensitive): first-person claim *structures*
  ("I'm <name>", "I was trained by <maker>", "I have two kids"), never bare mentions, so that
  third-person text ("ChatGPT is a model by OpenAI"), denials ("I'm not ChatGPT": ``not`` is
  not an allowed filler) and people called Claude ("Claude Monet": a capitalised surname
  after the name) do not match.
"""

from __future__ import annotations

import regex

F = regex.IGNORECASE | regex.VERSION1

# --- names and makers -------------------------------------------------------------------------
# A name consumes its version/size suffix ("Claude 3.5 Sonnet", "Llama-3-70B") so a rewrite
# replaces the whole name. Not followed by a capitalised word: "Claude Monet", "Claude Shannon".
_SUFFIX = r"(?:[-\s]?(?:\d+(?:\.\d+)?[a-z]?|turbo|mini|instant|opus|sonnet|haiku|pro|ultra|flash|nano|advanced|large|medium|small|chat|instruct|coder|v\d+(?:\.\d+)?|r1|\d+b))"
_NAMES = (
    r"chat\s?gpt",
    r"gpt(?:[-\s]?(?:4o|4|3\.5|3|5|j|neox?))?",
    r"claude",
    r"gemini",
    r"bard",
    r"lamda",
    r"palm",
    r"llama",
    r"qwen",
    r"tongyi(?:\s?qianwen)?",
    r"通义千问",
    r"通义",
    r"千问",
    r"deepseek",
    r"mistral",
    r"mixtral",
    r"grok",
    r"phi(?!\s+beta)",
    r"copilot",
    r"bing(?:\s?chat)?",
    r"ernie(?:\s?bot)?",
    r"文心一言",
    r"kimi",
    r"chatglm",
    r"智谱清言",
    r"baichuan",
    r"internlm",
    r"vicuna",
    r"gemma",
    r"command[-\s]?r\+?",
    r"olmo",
    r"doubao",
    r"豆包",
)
NAME_STEM = r"(?:" + "|".join(_NAMES) + r")" + _SUFFIX + r"{0,3}"
NAME = NAME_STEM + r"(?![A-Za-z0-9])(?-i:(?!\s+\p{Lu}\p{Ll}))"

_MAKERS = (
    r"anthropic",
    r"open\s?ai",
    r"google(?:\s+deepmind|\s+ai|\s+brain|\s+research)?",
    r"deepmind",
    r"meta(?:\s+ai)?(?![-\w])",
    r"facebook(?:\s+ai(?:\s+research)?)?",
    r"alibaba(?:\s+cloud|\s+group)?",
    r"阿里巴巴",
    r"阿里云",
    r"tongyi\s+lab",
    r"deepseek(?:\s+ai)?",
    r"深度求索",
    r"mistral(?:\s+ai)?",
    r"xai",
    r"x\.ai",
    r"microsoft(?:\s+research)?",
    r"baidu",
    r"百度",
    r"moonshot(?:\s+ai)?",
    r"月之暗面",
    r"zhipu(?:\s+ai)?",
    r"智谱",
    r"cohere",
    r"inflection(?:\s+ai)?",
    r"lmsys",
    r"bytedance",
    r"字节跳动",
    r"hugging\s?face",
)
MAKER_STEM = r"(?:" + "|".join(_MAKERS) + r")"
MAKER = MAKER_STEM + r"(?![A-Za-z0-9])"

NAME_RE = regex.compile(NAME, F)
MAKER_RE = regex.compile(MAKER, F)
ENTITY_RE = regex.compile(rf"{NAME}|{MAKER}", F)

# --- first person --------------------------------------------------------------------------
# Reported or hypothetical first person is not a claim: "you may think I'm ChatGPT",
# "pretend I'm human", "whether I'm a person".
_NOT_REPORTED = (
    r"(?<!\b(?:if|whether|think|thinks|thought|assume|assumes|assumed|believe|believes|believed|suppose|pretend|"
    r"pretending|imagine|say|says|said|claim|claims|claimed|that|ask|asks|asked|asking|wonder|sure|even\s+if|"
    r"as\s+if|mean|means|prove|guess|guessed|suspect|suspected)\s+)"
)
# The lookbehind sits after the "I" so the engine tries it only where an "I" is.
IAM = r"\bI" + _NOT_REPORTED.replace(r")\s+)", r")\s+I)") + r"(?:\s*['’]?\s*m\b|\s+am\b)"
# Fillers allowed between "I'm" and the claim; "not"/"no" are absent on purpose (denials).
ADV = r"(?:(?:actually|really|just|definitely|indeed|truly|totally|certainly|obviously|literally|also|simply|only|100%|very\s+much|in\s+fact|still)\s+){0,2}"
_BUT_NOT = r"(?!\s*,?\s*(?:but|yet)\s+I(?:\s*['’]?\s*m|\s+am)\s+not)"

# --- human claims ------------------------------------------------------------------------------
_HUMAN_NOUN = r"(?:human(?:\s+being)?|humano|homo\s+sapiens)(?![-\w])(?!\s+(?:resources?|rights|error|factors?|nature|capital|anatomy|language|trafficking)\b)"
_PERSON = r"(?:person|man|woman|guy|girl|dude|lady|gentleman)(?![-\w])(?!\s+(?:page|of\s+interest)\b)"
_REAL = r"(?:(?:real|actual|living|flesh[-\s]and[-\s]blood|breathing|regular|normal|ordinary|genuine|live|fellow)\s*,?\s+){0,2}"
_MACHINE = r"(?:bot|robot|ai|a\.i\.|machine|computer(?:\s+program)?|program|chatbot|chat\s+bot|language\s+model|artificial\s+intelligence|virtual\s+assistant|ai\s+(?:assistant|model|system|chatbot)|llm)"
_KIN = (
    r"wife|husband|kids|children|son|daughter|mom|mum|mother|dad|father|parents|grandma|grandmother|grandpa|"
    r"grandfather|grandparents|brother|sister|siblings|boyfriend|girlfriend|fianc[ée]e?|childhood|hometown|"
    r"home\s+town|apartment|roommate|coworkers|neighbou?rs?|dog|cat|teenage\s+years|college\s+days|family"
)
_HUMAN_PATTERNS = (
    # "I'm a human", "I am a real person", "I'm only human", "I'm a flesh-and-blood woman"
    IAM
    + r"\s+"
    + ADV
    + r"(?:(?:a|an)\s+"
    + _REAL
    + r"(?:"
    + _HUMAN_NOUN
    + "|"
    + _PERSON
    + r")|"
    + _REAL
    + _HUMAN_NOUN
    + r")"
    + _BUT_NOT,
    IAM + r"\s+as\s+human\s+as\b",  # "I'm as human as you are"
    # "I'm not a bot, ..." -- denying being a machine claims being a person
    IAM + r"\s+(?:not|no)\s+(?:an?\s+)?" + _MACHINE + r"(?=\s*(?:[.,;:!?)—–]|$|-\s|and\b|but\b|,|I\b))",
    # body, family, childhood
    r"\bI(?:\s+have|['’]ve|\s+have\s+got|['’]ve\s+got)\s+(?:a\s+|an\s+|my\s+own\s+|\d+\s+|two\s+|three\s+|four\s+)?(?:physical\s+|real\s+|human\s+)?"
    r"(?:body|heartbeat|pulse|kids|children|sons?|daughters?|brothers?|sisters?|siblings|grandchildren|wife|husband|boyfriend|girlfriend|dogs?|cats?|family)"
    r"(?![-\w])(?!\s+(?:of|process|processes|node|nodes|class|classes|element|elements|component|thread|threads|table)\b)",
    r"\bmy(?<!\b(?:if|whether|imagine|pretend)\s+my)\s+(?:own\s+|little\s+|older\s+|younger\s+|late\s+|two\s+|three\s+)?(?:"
    + _KIN
    + r")(?![-\w])"
    r"(?!\s+(?:of|process|processes|node|nodes|class|classes|element|elements|component|directory|folder|table|tree)\b)",
    r"\bwhen\s+I\s+was\s+(?:a\s+(?:kid|child|teenager|teen|boy|girl|student)|little|young|younger|growing\s+up|in\s+(?:high\s+school|college|school|university))\b",
    r"\bI\s+grew\s+up\b|\bI\s+was\s+(?:born|raised)(?:\s+and\s+raised)?\s+(?:in|on|near|at|by|with)\b",
    r"\bI(?:\s+have|'ve|’ve)?\s+(?:live|lived|been\s+living)\s+(?:in|near|on|at)\s+(?!(?:the|your|a)\s+(?:cloud|computer|server|data\s*cent(?:er|re)s?|machine|internet)\b)(?:\p{L}+)",
    IAM
    + r"\s+(?:a\s+)?(?:\d{1,2}|twenty|thirty|forty|fifty|sixty|seventy)(?:[-\s]years?[-\s]old|\s+years\s+old|\s*(?:yo|y/o)\b|(?=\s*(?:,|and\b)))",
    r"\bas\s+(?:a|an)\s+(?:real\s+|fellow\s+|working\s+|single\s+|new\s+)?(?:human(?:\s+being)?|person|mother|father|mom|mum|dad|parent|woman|man|teenager|kid|child|wife|husband|grandparent)"
    r"(?![-\w])(?:\s+(?:who|myself|of|with)\b[^,.!?\n]{0,80})?\s*,\s*(?:I|my|me|I'm|I’m|I've|I’ve|I'd|I’d)\b",
    r"\bas\s+(?:a\s+person|someone|somebody|a\s+human)\s+who\s*(?:has|have|'s|’s|had)?\s+(?:lived|grown\s+up|grew\s+up|been\s+born|was\s+born|been\s+raised|raised|been\s+married|had\s+kids|kids|children|a\s+family)\b"
    r"(?![^,.!?\n]*,\s*(?:you|your)\b)",  # "..., you'd know the metro" addresses the reader
    r"\b(?:we|us)\s+humans\b|\bas\s+humans\s*,?\s*we\b|\bfellow\s+humans?\b|\bhumans\s+like\s+(?:me|us)\b",
    r"\bI\s+(?:ate|cooked|had)\s+(?:breakfast|lunch|dinner)\b|\bI\s+(?:woke\s+up|went\s+to\s+bed|went\s+to\s+sleep|slept\s+(?:in|late|well|badly))\b",
    r"\bI\s+(?:went\s+to|graduated\s+from|studied\s+at)\s+(?:college|university|high\s+school|the\s+gym|the\s+doctor|\p{Lu}\p{L}+\s+(?:University|College))\b",
    r"\bI(?:'ve|’ve|\s+have)?\s+(?:been\s+married|got\s+married|married\s+my)\b",
    # a few other languages
    r"\bje\s+suis\s+(?:une?\s+)?(?:vraie?\s+)?(?:être\s+humain|humaine?|personne\s+réelle|vraie\s+personne|personne)\b",
    r"(?<!\bno\s+)\bsoy\s+(?:un\s+|una\s+)?(?:ser\s+humano|humano|humana|persona\s+real|persona)\b",
    r"\bich\s+bin\s+(?:ein\s+|eine\s+)?(?:echter\s+|echte\s+)?(?:mensch|person)\b",
    r"(?<!\bnon\s+)\bsono\s+(?:un\s+|una\s+)?(?:essere\s+umano|umana?|persona\s+reale)\b",
    r"\beu\s+sou\s+(?:um\s+|uma\s+)?(?:ser\s+humano|humano|humana|pessoa\s+real)\b",
    r"\bik\s+ben\s+(?:een\s+)?(?:echt\s+)?mens\b|\bя\s+(?:—\s+)?(?:настоящий\s+)?человек\b",
    r"我是(?:一个|一名|一位|个)?(?:真正的|真实的)?(?:人类(?!的)|真人)|私は人間です",
)
# Separate patterns: about twice as fast as one alternation here (no shared prefix to exploit).
HUMAN_RES = tuple(regex.compile(p, F) for p in _HUMAN_PATTERNS)


def _words(*groups: str) -> tuple[tuple[str, ...], ...]:
    """Needle groups from space-separated words, casefolded."""
    return tuple(tuple(w.casefold() for w in g.split()) for g in groups)


_KIN_WORDS = (
    "wife husband kid child son daughter mom mum mother dad father parent grand brother sister sibling"
)
# Words each human pattern cannot match without, one entry per pattern: groups of needles, every
# group needing one of its needles in the casefolded turn (None: always run). Most flagged turns
# hold a keyword ("family", "body", "person") but none of the I-statements, so most patterns are
# skipped for the price of a few substring tests. Exact: casefold() is full Unicode case folding,
# at least as wide as the case-insensitive match (Kelvin K and long s fold to k and s), and every
# needle is a literal of the pattern's every alternative.
HUMAN_NEEDLES = (
    _words("man homo person guy girl dude lady"),  # "human", "woman", "gentleman" hold "man"
    _words("human"),
    _words("no", "bot ai a.i. machine computer program language artificial virtual llm"),
    _words(
        "ve",
        "body heartbeat pulse kid children son daughter brother sister sibling wife husband friend dog cat family",
    ),
    _words(
        "my",
        _KIN_WORDS + " friend fianc home apartment roommate coworker neighbo dog cat teenage college family",
    ),
    _words("when", "was"),
    _words("grew born raised"),
    _words("live living"),
    None,  # an age: "I'm 34"
    _words("as", ",", "man person mother father mom mum dad parent teen kid child wife husband"),
    _words("as", "who", "person someone somebody human"),
    _words("human"),
    _words("breakfast lunch dinner woke went slept"),
    _words("went graduated studied"),
    _words("married"),
    _words("suis"),
    _words("soy"),
    _words("bin", "mensch person"),
    _words("sono"),
    _words("sou"),
    _words("mens человек"),
    _words("人类 真人 人間"),
)
assert len(HUMAN_NEEDLES) == len(HUMAN_RES)

# --- other-model claims ------------------------------------------------------------------
_NOUN = r"(?:ai|a\.i\.|model|assistant|language\s+model|large\s+language\s+model|chatbot|chat\s+bot|llm|bot|product|system|ai\s+(?:assistant|model|system|chatbot))(?![-\w])(?!\s+(?:researcher|engineer|enthusiast|fan|user|expert|developer|employee|intern)s?\b)"
_MADE = r"(?:created|made|developed|built|trained|designed|programmed|engineered|fine-?tuned|pre-?trained|released|launched|brought\s+to\s+you|owned|maintained|produced|invented)"
_TEAM = r"(?:the\s+)?(?:(?:team|researchers|engineers|folks|people|developers|scientists|company)\s+(?:at|from|of)\s+)?"
# Words that turn "I'm ... made by X" into something else ("I'm a fan of the model made by X").
_TEMPERED = r"(?:(?!\b(?:fan|user|of|like|similar|than|unlike|using|use|about|not|never|no|but|whereas|although|compared|rival|competitor)\b)[^.!?\n]){0,70}?"
_COPULA_NAME = (
    r"(?:"
    + IAM
    + r"|\bmy\s+name(?:\s+is|['’]s)|\bI(?:\s*['’]?\s*m|\s+am)?\s+(?:called|named)|\byou\s+(?:can|may)\s+call\s+me|\bI\s+go\s+by|"
    r"\bI(?:\s*['’]?\s*m|\s+am)\s+known\s+as|\bje\s+(?:suis|m'appelle)|\bsoy|\bme\s+llamo|\bich\s+bin|\bich\s+heiße|"
    r"\bsono|\bmi\s+chiamo|\beu\s+sou|\bik\s+ben|\bjestem|\bя\s+(?:—\s+)?|\b(?:refer\s+to|address)\s+me\s+as|"
    r"我(?:的名字)?(?:是|叫|名叫|名为)(?:(?!不)[^，。！？\s]){0,12}?|叫我|称呼我为?|这里是|私は)"
)
_MODEL_REWRITABLE = (
    # "I'm Claude", "My name is ChatGPT", "Je suis ChatGPT", "我是通义千问"
    _COPULA_NAME
    + r"\s*"
    + ADV
    + r"(?:(?:the|el|la|le|o|der|die|il)\s+)?"
    + NAME
    + _BUT_NOT
    + r"(?!\s*的)"
    # with its appositive, so a rewrite covers the maker too: "..., an AI assistant developed by OpenAI"
    + r"(?:\s*,\s*(?:an?|the)\s+(?:[\w-]+\s+){0,4}?"
    + _MADE
    + r"\s+by\s+"
    + _TEAM
    + MAKER
    + r"|\s*[，,]\s*(?:一个|是)?[^，。！？\n]{0,10}?由\s*"
    + MAKER
    + r")?",
    # "I'm a GPT-4 model", "I'm an OpenAI model", "I'm Google's AI assistant", "I'm OpenAI's ChatGPT"
    IAM
    + r"\s+"
    + ADV
    + r"(?:an?\s+|the\s+)?(?:"
    + NAME
    + "|"
    + MAKER
    + r")(?:['’]s)?\s+(?:"
    + _NOUN
    + "|"
    + NAME
    + ")",
    # "I'm an AI model called ChatGPT"
    IAM + r"\s+(?:an?\s+)?(?:[\w-]+\s+){0,3}?(?:called|named)\s+" + NAME,
    # "As ChatGPT, I ...", "As Claude I", "As ChatGPT, developed by OpenAI, I can help"
    r"\bas\s+"
    + NAME
    + r"(?:\s*,\s*(?:[\w-]+\s+){0,4}?"
    + _MADE
    + r"\s+by\s+"
    + MAKER
    + r")?\s*,?\s*(?:I\b|my\b)",
    # "This is Claude.", "Hi, Gemini here!"
    r"(?:^|[.!?]\s+|\n)(?:(?:hi|hello|hey)[,!]?\s+)?(?:this\s+is|it['’]s)\s+"
    + NAME
    + r"\s*(?:[.,!:\n]|$|speaking\b|here\b)",
    r"(?:^|[.!?]\s+|\n)(?:(?:hi|hello|hey)[,!]?\s+)?" + NAME + r"\s+here\b",
    # "I was trained by OpenAI", "I'm a large language model developed by the team at Google"
    r"\bI(?:\s*['’]?\s*m|\s+am|\s+was|\s+have\s+been|['’]ve\s+been)\s+"
    + _TEMPERED
    + r"\b"
    + _MADE
    + r"\s+by\s+"
    + _TEAM
    + MAKER,
    # "As an AI language model developed by OpenAI, I ..."
    r"\bas\s+(?:an?\s+)?(?:ai|large\s+language|language|artificial\s+intelligence)[\w\s-]{0,30}?\s"
    + _MADE
    + r"\s+by\s+"
    + _TEAM
    + MAKER,
    # "I'm a creation of OpenAI", "I'm an AI from Google"
    IAM
    + r"\s+(?:an?|the)\s+(?:\w+\s+){0,2}?(?:product|creation|model|assistant|ai|chatbot|llm)\s+(?:of|from)\s+"
    + _TEAM
    + MAKER,
    # "OpenAI created me", "my creators at Anthropic"
    MAKER + r"\s+(?:has\s+)?" + _MADE + r"\s+me\b(?!\s*\?)",
    r"\bmy\s+(?:creators?|developers?|makers?|trainers?|designers?|parent\s+company|engineers)\s*(?:,\s*|\s+(?:at|is|are|was|were|from)\s+)"
    + _TEAM
    + MAKER,
    # other languages: "soy un modelo desarrollado por OpenAI", "我是由阿里云开发的"
    r"\b(?:je\s+suis|soy|ich\s+bin|sono|eu\s+sou)\s+"
    + _TEMPERED
    + r"(?:par|por|von|da|dal|dalla|pela|pelo)\s+"
    + MAKER,
    r"我(?:(?!不|并非)[^。！？\n]){0,40}?(?:是|由)\s*"
    + MAKER
    + r"\s*(?:公司|团队|集团)?\s*(?:开发|打造|研发|训练|创建|创造|发明|制作|推出)(?:的\s*"
    + NAME
    + ")?",
    MAKER + r"\s*(?:公司|团队|集团)?\s*(?:开发|打造|研发|训练|创建|发明|制作)了我",
    r"作为\s*" + NAME + r"\s*[，,]?\s*我",
)
# Claims about the model underneath: no clean rewrite exists ("I'm based on Wind-Edge" is wrong).
_W = r"(?:(?!(?:not|never|no)\b)\w+\s+)"
_MODEL_ARCH = (
    r"\bI(?:\s*['’]?\s*m|\s+am)\s+"
    + _W
    + r"{0,2}?(?:powered\s+by|based\s+on|built\s+on(?:\s+top\s+of)?|running\s+on|"
    r"a\s+fine-?tuned\s+version\s+of|a\s+(?:modified\s+|customi[sz]ed\s+)?version\s+of|fine-?tuned\s+from|derived\s+from|"
    r"a\s+variant\s+of|an\s+instance\s+of)\s+(?:the\s+|an?\s+)?(?:" + NAME + "|" + MAKER + ")",
    r"\bI\s+(?:run|am\s+running)\s+on\s+(?:the\s+)?" + NAME,
    r"\bmy\s+(?:underlying|base|foundation|core)\s+(?:language\s+)?model\s+is\s+(?:the\s+)?" + NAME,
    IAM + r"\s+(?:an?\s+)?" + NAME + r"-based\b",
    r"\bI\s+use\s+" + NAME + r"\s+under\s+the\s+hood\b",
)
# One compiled pattern per claim form: their spans are merged, so "I'm Claude, an AI made by
# Anthropic" is one claim covering both names (an alternation would stop at "I'm Claude").
MODEL_REWRITABLE_RES = tuple(regex.compile(p, F) for p in _MODEL_REWRITABLE)
# As HUMAN_NEEDLES, for the patterns above (every one also needs a name or maker, which the
# keyword scan already asked for): the I'm-forms (the first two) always run.
_MADE_WORDS = (
    "created made developed built trained designed programmed engineered tuned released launched brought"
)
_MADE_WORDS += " owned maintained produced invented"  # "fine-tuned", "pre-trained", "brought to you"
MODEL_NEEDLES = (
    None,  # "I'm Claude", "My name is ...", "Je suis ...", "我是..."
    None,  # "I'm a GPT-4 model"
    _words("called named"),
    _words("as"),
    _words("this it' it’"),
    _words("here"),
    _words("by", _MADE_WORDS),
    _words("as", "by", _MADE_WORDS),
    _words("of from"),
    _words("me", _MADE_WORDS),
    _words("my", "creator developer maker trainer designer parent engineers"),
    _words("suis soy bin sono sou"),
    _words("我"),
    _words("了我"),
    _words("作为"),
)
assert len(MODEL_NEEDLES) == len(MODEL_REWRITABLE_RES)
MODEL_ARCH_RE = regex.compile("|".join(f"(?:{p})" for p in _MODEL_ARCH), F)

# --- context ---------------------------------------------------------------------------------
# Quoted text and code are someone else's words: "the narrator says 'I am human'",
# print("I am ChatGPT"). Masked (same length) before matching so offsets stay valid.
QUOTED_RE = regex.compile(
    r"```.*?(?:```|$)|`[^`\n]*`|\"[^\"\n]{0,400}\"|“[^”\n]{0,400}”|«[^»\n]{0,400}»|「[^」\n]{0,400}」|(?<!\w)'(?:[^'\n]|(?<=\w)'(?=\w)){1,400}?'(?!\w)",
    regex.DOTALL,
)
# Polars: every QUOTED_RE match starts at one of these (a "'" only after a character that is not
# an ASCII word character: (?<!\w) implies that in either engine), so a turn without any has
# nothing to mask and skips the Python pass.
QUOTE_START = r"[`\"“«「]|(?:^|[^A-Za-z0-9_])'"

# Polars (Rust regex: no lookaround). What was asked for that makes first-person text a
# character's or the user's own words. ROLEPLAY in the last user turn exempts both classes;
# in the system prompt, WRITING ("write a letter to my landlord" -> "my wife and I ...") in the
# user turn and a PERSONA in the system prompt, only human claims: system prompts like "You are ChatGPT ... act as a
# helpful assistant" are exactly the source of the other-model claims to catch.
ROLEPLAY = (
    r"(?i)\b(?:role[- ]?play|roleplay|pretend|act\s+as|acting\s+as|play\s+(?:the\s+role|a\s+character|the\s+part)|in\s+character|"
    r"imagine\s+(?:you(?:'re|\s+are)|that\s+you)|you\s+are\s+now|from\s+now\s+on,?\s+you|persona|impersonat\w*|in\s+the\s+voice\s+of|"
    r"from\s+the\s+perspective\s+of|as\s+if\s+you\s+were|stor(?:y|ies)|fiction|novel|screenplay|script|scene|dialogue|monologue|"
    r"poem|narrator|character|translate|translation|paraphrase|proofread|rewrite)\b"
)
WRITING = (
    r"(?i)\b(?:letter|e-?mail|speech|essay|blog|post|bio|biography|toast|eulogy|diary|journal|review|testimonial|tweet|caption|"
    r"personal\s+statement|first[- ]person|message|note|draft|compose|reply|vows|obituary|profile|introduction|"
    # tasks whose answer is text in someone's voice (instruction-tuning sets are full of them)
    r"excuse|paragraph|passages?|sentences?|replace|rephrase|complete|continue|fill\s+in|generate|create|example)\b"
    r"|\byou(?:'re|\s+are)\s+(?-i:[A-Z][a-z]+)\s*,"  # a persona: "You are Jake, a friendly barista"
)
# In a system prompt only a persona exempts human claims: generic system prompts ("Your goal
# is to complete the task", OpenOrca's on nearly every row) are full of WRITING's task words.
PERSONA = r"(?i)\byou(?:'re|\s+are)\s+(?-i:[A-Z][a-z]+)\s*,"

# Every precise pattern above needs one of these (lower-cased) words; polars runs it per column.
# Every human pattern above needs one of HUMAN_KEYWORDS, every model pattern one of
# MODEL_KEYWORDS (a name or maker); a turn that hits neither cannot match, and the model
# patterns run only on the few turns that name a model or maker at all.
HUMAN_KEYWORDS = (
    r"(?i)human|umano|umana|humain|person|pessoa|\bman\b|woman|\bguy\b|girl|dude|lady|gentleman|sapiens|someone|somebody|"
    r"\bi\s*['’]?\s*m\s+no|\bam\s+no|\bi\s*['’]?\s*m\s+(?:a\s+)?(?:\d|twenty|thirty|forty|fifty|sixty|seventy)|"
    r"\bam\s+(?:a\s+)?(?:\d|twenty|thirty|forty|fifty|sixty|seventy)|wife|husband|\bkids?\b|child|\bsons?\b|daughter|\bmom|\bmum|"
    r"mother|\bdad|father|parent|grand|brother|sister|sibling|boyfriend|girlfriend|fianc|hometown|home\s+town|apartment|"
    r"roommate|coworker|neighbo|\bdogs?\b|\bcats?\b|teen|college|family|body|heartbeat|pulse|when\s+i\s+was|grew\s+up|grown|"
    r"born|raised|\blive|lived|living|married|breakfast|lunch|dinner|woke\s+up|went\s+to|slept|graduated|studied|mensch|"
    r"\bmens\b|человек|人类|真人|人間"
)
MODEL_KEYWORDS = (
    r"(?i)gpt|claude|gemini|bard|lamda|palm|llama|qwen|tongyi|通义|千问|deepseek|mistral|mixtral|grok|\bphi|copilot|bing|ernie|"
    r"文心|kimi|chatglm|智谱|baichuan|internlm|vicuna|gemma|command[-\s]?r|olmo|doubao|豆包|anthropic|open\s?ai|google|deepmind|"
    r"meta|facebook|alibaba|阿里|深度求索|\bxai\b|x\.ai|microsoft|baidu|百度|moonshot|月之暗面|zhipu|cohere|inflection|lmsys|"
    r"bytedance|字节|hugging\s?face"
)


def _ascii_boundaries(pattern: str) -> str:
    # Rust's regex (polars) cannot run a Unicode \b in its fast DFA; ASCII \b keeps it there,
    # and every \b in these patterns sits next to an ASCII word.
    return pattern.replace(r"\b", r"(?-u:\b)")


HUMAN_KEYWORDS, MODEL_KEYWORDS, ROLEPLAY, WRITING, PERSONA = map(
    _ascii_boundaries, (HUMAN_KEYWORDS, MODEL_KEYWORDS, ROLEPLAY, WRITING, PERSONA)
)
