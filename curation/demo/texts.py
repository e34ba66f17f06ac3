"""Hand-written answers for general questions (each used at most once per demo)."""

from __future__ import annotations

# (topic phrase, answer). Questions are built around the topic phrase.
EXPLANATIONS: tuple[tuple[str, str], ...] = (
    (
        "why the sky is blue",
        "Sunlight contains every colour, but air molecules scatter short wavelengths much more strongly than "
        "long ones. Blue light is scattered all across the sky, so wherever you look away from the Sun some "
        "of it reaches your eyes. At sunrise and sunset the light crosses far more air, most of the blue is "
        "scattered out of the beam, and the reds and oranges are what remain.",
    ),
    (
        "how photosynthesis works",
        "Plants capture light with chlorophyll in their chloroplasts. That energy splits water molecules, "
        "releasing oxygen, and produces energy carriers the cell can use. In a second set of reactions the "
        "plant uses those carriers to turn carbon dioxide from the air into sugars. The sugars feed the "
        "plant and become the building blocks of its tissues.",
    ),
    (
        "what causes the seasons",
        "Earth's axis is tilted by about 23.5 degrees relative to its orbit. For part of the year one "
        "hemisphere leans towards the Sun, so sunlight hits it more directly and days are longer: that is "
        "summer there. Six months later the same hemisphere leans away and gets winter. The distance to the "
        "Sun changes only slightly and is not the cause.",
    ),
    (
        "how vaccines train the immune system",
        "A vaccine shows the immune system a harmless piece or copy of a germ, such as a protein from its "
        "surface. The body responds by making antibodies and memory cells that recognise that shape. If the "
        "real germ arrives later, the memory cells react within days instead of weeks, which usually stops "
        "the infection or makes it much milder.",
    ),
    (
        "what compound interest is",
        "Compound interest is interest earned on both the original amount and on interest already added. If "
        "you save 1,000 at 5% a year, you have 1,050 after one year, and the next year's 5% is calculated on "
        "1,050. Over long periods the growth speeds up, which is why starting to save early matters more "
        "than the exact amount.",
    ),
    (
        "how a rainbow forms",
        "A rainbow appears when sunlight enters raindrops, bends, reflects off the back of each drop and "
        "bends again on the way out. Each colour bends by a slightly different amount, so the light spreads "
        "into a spectrum. You see the bow when the Sun is behind you and the rain is in front, at an angle "
        "of about 42 degrees from the point opposite the Sun.",
    ),
    (
        "what recursion means in programming",
        "A recursive function solves a problem by calling itself on a smaller version of the same problem. "
        "It needs a base case that can be answered directly, such as the factorial of 0 being 1, and a step "
        "that reduces every other input towards that base case. Without a base case the calls never stop and "
        "the program runs out of stack space.",
    ),
    (
        "how tides work",
        "The Moon's gravity pulls slightly harder on the side of Earth facing it than on the far side. That "
        "difference stretches the oceans into two bulges, one towards the Moon and one away from it. As "
        "Earth rotates, a coastline passes through both bulges, which gives most places two high tides and "
        "two low tides a day. The Sun adds a smaller effect, producing stronger spring tides when it lines "
        "up with the Moon.",
    ),
    (
        "what inflation is",
        "Inflation is the general rise in prices over time, which means each unit of money buys a little "
        "less. Moderate inflation is normal in a growing economy. It becomes a problem when it is high or "
        "unpredictable, because savings lose value and planning becomes hard. Central banks usually respond "
        "by raising interest rates to cool spending.",
    ),
    (
        "how a hash table finds values quickly",
        "A hash table runs each key through a hash function that turns it into a number, and uses that "
        "number to pick a slot in an array. Looking up the key repeats the same calculation and goes "
        "straight to the slot, so on average a lookup takes constant time. When two keys land in the same "
        "slot, the table stores both and tells them apart by comparing the keys.",
    ),
    (
        "the difference between weather and climate",
        "Weather is what the atmosphere is doing over hours or days: today's rain, tomorrow's wind. Climate "
        "is the pattern of weather over decades, such as the typical temperature range and rainfall of a "
        "region. A single cold week says little about climate, while a steady shift in averages over many "
        "years does.",
    ),
    (
        "how the heart pumps blood",
        "The heart has four chambers. The right side receives blood that has delivered its oxygen and pumps "
        "it to the lungs, where it picks up fresh oxygen. The left side receives that oxygen-rich blood and "
        "pumps it out to the rest of the body through the aorta. Valves between the chambers open in one "
        "direction only, which keeps the flow moving forwards with each beat.",
    ),
    (
        "why leaves change colour in autumn",
        "Leaves are green because of chlorophyll, which the tree constantly rebuilds while days are long. As "
        "days shorten and nights cool, the tree stops making chlorophyll and the green fades. Yellow and "
        "orange pigments that were there all along become visible, and some trees also produce red pigments "
        "from sugars trapped in the leaf.",
    ),
    (
        "what an API is",
        "An API, or application programming interface, is a defined way for one piece of software to ask "
        "another for data or actions. It lists the requests you can make, the inputs each one needs and the "
        "shape of the answer. A weather app, for example, calls a forecast service's API instead of running "
        "its own weather models.",
    ),
    (
        "how plate tectonics shapes the Earth",
        "Earth's outer shell is broken into large plates that float on the hotter, softer mantle below. They "
        "move a few centimetres a year. Where plates pull apart, new crust forms; where they collide, one "
        "may sink beneath the other or both crumple into mountain ranges. Most earthquakes and volcanoes "
        "occur along these boundaries.",
    ),
    (
        "the water cycle",
        "Heat from the Sun evaporates water from oceans, lakes and plants. The vapour rises, cools and "
        "condenses into clouds. When droplets grow heavy enough they fall as rain or snow, which runs into "
        "rivers, soaks into the ground or is stored in ice. Eventually the water returns to the sea or the "
        "air, and the cycle begins again.",
    ),
    (
        "supply and demand",
        "Supply is how much of a product sellers are willing to offer at each price; demand is how much "
        "buyers want at each price. When demand rises and supply stays the same, prices tend to go up, and "
        "when supply grows faster than demand, prices fall. The market price settles roughly where the "
        "amount offered matches the amount wanted.",
    ),
    (
        "how a binary search works",
        "Binary search finds an item in a sorted list by repeatedly halving the range that could contain it. "
        "It compares the target with the middle element: if the target is smaller, it continues in the left "
        "half, otherwise in the right half. Because the range halves every step, a list of a million items "
        "needs only about twenty comparisons.",
    ),
    (
        "why ice floats on water",
        "When water freezes, its molecules lock into a hexagonal pattern held together by hydrogen bonds. "
        "That pattern holds the molecules further apart than in liquid water, so ice is about nine percent "
        "less dense. Anything less dense than the liquid around it floats, which is why lakes freeze from "
        "the top down and fish survive beneath.",
    ),
    (
        "what DNS does on the internet",
        "The Domain Name System translates names like example.org into the numeric IP addresses computers "
        "use to reach each other. When you type a name, your device asks a resolver, which queries a chain "
        "of DNS servers until it finds the authoritative answer. The result is cached for a while, so later "
        "visits skip most of those steps.",
    ),
    (
        "how antibiotics work",
        "Antibiotics kill bacteria or stop them from multiplying by targeting structures that bacteria have "
        "and human cells do not, such as their cell walls or their particular ribosomes. They do nothing "
        "against viruses, which is why they do not help with colds. Using them only when needed and "
        "finishing the course slows the spread of resistant bacteria.",
    ),
    (
        "what a black hole is",
        "A black hole is a region where so much mass is packed into so small a space that nothing, not even "
        "light, can escape its gravity once it crosses the boundary called the event horizon. Many form when "
        "very massive stars collapse at the end of their lives. We detect them through their effect on "
        "nearby stars and gas, which can heat up and glow brightly as it falls in.",
    ),
    (
        "the greenhouse effect",
        "Sunlight passes through the atmosphere and warms the ground, which then gives off heat as infrared "
        "radiation. Gases such as water vapour, carbon dioxide and methane absorb part of that infrared and "
        "send some of it back down. This keeps Earth far warmer than it would be otherwise; adding more of "
        "these gases strengthens the effect.",
    ),
    (
        "what machine learning is",
        "Machine learning is a way of building software that improves from examples instead of following "
        "only hand-written rules. A model is shown many inputs with known answers, measures how wrong its "
        "guesses are and adjusts its internal parameters to reduce that error. Once trained, it can make "
        "predictions on new inputs it has not seen.",
    ),
    (
        "how a refrigerator keeps food cold",
        "A refrigerator moves heat from the inside to the outside using a refrigerant that is pumped around "
        "a closed loop. Inside, the liquid refrigerant evaporates in coils and absorbs heat as it turns into "
        "gas. A compressor squeezes the gas, making it hot, and coils at the back release that heat into the "
        "room as the refrigerant condenses again.",
    ),
    (
        "why we have time zones",
        "Because Earth rotates, noon arrives at different moments in different places. Before railways, "
        "towns kept their own local solar time. Fast travel and the telegraph made that confusing, so "
        "regions agreed on standard zones, each roughly fifteen degrees of longitude wide, so that clocks "
        "within a zone match while staying close to solar time.",
    ),
    (
        "how a bill becomes a law in a typical parliament",
        "A proposed law, called a bill, is introduced and debated in the legislature. It is examined in "
        "committee, where members can amend it, and then voted on. In a two-chamber system the other chamber "
        "repeats the process, and both must agree on the same text. The head of state or government then "
        "signs it into law.",
    ),
    (
        "what version control is",
        "Version control records every change made to a set of files, who made it and why. You can compare "
        "versions, undo mistakes and work on separate branches without disturbing the main copy. Tools like "
        "Git also let many people work on the same project and merge their changes together.",
    ),
    (
        "how bees make honey",
        "Worker bees collect nectar from flowers and store it in a special stomach, where enzymes start "
        "breaking its sugars down. Back at the hive they pass it to other bees and deposit it into wax "
        "cells. The bees fan their wings to evaporate water until the nectar thickens into honey, then seal "
        "the cells with wax.",
    ),
    (
        "the difference between a virus and a bacterium",
        "Bacteria are single living cells that can grow and divide on their own; many are harmless or even "
        "helpful. Viruses are much smaller packages of genetic material in a protein coat, and they can only "
        "reproduce by entering a host cell and using its machinery. Antibiotics work on bacteria but not on "
        "viruses.",
    ),
    (
        "what an index does in a database",
        "A database index is a separate, sorted structure that points to rows by the values of one or more "
        "columns. Instead of scanning every row to find matches, the database walks the index, much as you "
        "would use a book's index instead of reading every page. Indexes speed up reads but cost extra "
        "storage and slow down writes slightly.",
    ),
    (
        "why the Moon has phases",
        "The Moon does not make its own light; half of it is always lit by the Sun. As it orbits Earth over "
        "about a month, we see different portions of that sunlit half. At new moon the lit side faces away "
        "from us, at full moon it faces us completely, and the crescents and quarters are the stages in "
        "between.",
    ),
    (
        "how noise-cancelling headphones work",
        "Small microphones on the headphones listen to the sound around you. A chip creates a wave that is "
        "the mirror image of that sound and plays it through the speakers. When the two waves meet, their "
        "peaks and troughs cancel, so steady noises like engine hum become much quieter. Sudden or "
        "high-pitched sounds are harder to cancel.",
    ),
    (
        "what a budget is and why it helps",
        "A budget is a plan for how you will use your income over a period, usually a month. You list what "
        "comes in, set amounts for fixed costs like rent, for flexible spending and for savings, then "
        "compare the plan with what you actually spend. It helps because it makes trade-offs visible before "
        "the money is gone.",
    ),
    (
        "how GPS determines your position",
        "GPS satellites constantly broadcast their position and the exact time from onboard atomic clocks. A "
        "receiver measures how long each signal took to arrive, which gives its distance from each "
        "satellite. With signals from at least four satellites it can solve for its position in three "
        "dimensions and correct its own clock error.",
    ),
    (
        "what erosion is",
        "Erosion is the wearing away and moving of soil and rock by water, wind, ice or gravity. Rivers "
        "carve valleys, waves cut cliffs and glaciers grind out wide U-shaped valleys. Plant roots hold soil "
        "in place, which is why cleared land often erodes much faster.",
    ),
    (
        "how electric cars differ from petrol cars",
        "An electric car stores energy in a battery and drives its wheels with electric motors, while a "
        "petrol car burns fuel in an engine and needs a gearbox to stay in its useful speed range. Electric "
        "motors deliver strong torque from a standstill, have far fewer moving parts and produce no exhaust. "
        "Their main trade-offs are charging time and range.",
    ),
    (
        "why sleep matters",
        "During sleep the brain consolidates memories, clears waste products that build up while awake and "
        "regulates hormones that control appetite and stress. Muscles and tissues repair themselves too. "
        "Regularly sleeping too little affects concentration, mood and the immune system, which is why most "
        "adults are advised to get seven to nine hours.",
    ),
    (
        "what an operating system does",
        "An operating system manages a computer's hardware and gives programs a consistent way to use it. It "
        "decides which program runs on the processor and when, hands out memory, handles files on disk and "
        "talks to devices through drivers. It also keeps programs from interfering with each other.",
    ),
    (
        "how sound travels",
        "Sound is a vibration that passes through a material as a wave of compressions and rarefactions. A "
        "vibrating object pushes on nearby molecules, which push on their neighbours, and so on. It travels "
        "faster in water than in air, and faster still in solids, but it cannot travel through the vacuum of "
        "space because there is nothing to vibrate.",
    ),
    (
        "what encryption is",
        "Encryption scrambles data with a key so that only someone with the right key can turn it back into "
        "readable form. Symmetric encryption uses the same key to lock and unlock; public-key encryption "
        "uses a pair, one that can be shared and one kept secret. It protects messages, stored files and the "
        "connection between your browser and a website.",
    ),
    (
        "why bread rises",
        "Yeast in the dough feeds on sugars and releases carbon dioxide gas. Kneading develops gluten, a "
        "stretchy network of proteins from the flour, which traps the gas in small bubbles. As the bubbles "
        "expand the dough rises, and in the oven the heat sets the structure, giving bread its airy texture.",
    ),
    (
        "what a neural network is",
        "A neural network is a model built from layers of simple units, each of which multiplies its inputs "
        "by weights, adds them up and applies a non-linear function. Stacking many layers lets the network "
        "represent complicated patterns. Training adjusts the weights, usually by gradient descent, so the "
        "network's outputs match the examples it learns from.",
    ),
    (
        "how a lock and key work",
        "A common pin tumbler lock has a row of spring-loaded pin pairs that block a rotating cylinder. Each "
        "pair is split at a different height. The right key lifts every pair so that all the splits line up "
        "exactly with the edge of the cylinder, which is then free to turn. A wrong key leaves at least one "
        "pin blocking it.",
    ),
    (
        "why the ocean is salty",
        "Rain is slightly acidic and slowly dissolves minerals from rocks on land. Rivers carry those "
        "dissolved salts to the sea. When seawater evaporates, the water leaves but the salts stay behind, "
        "so over millions of years they have built up. Hydrothermal vents on the sea floor add more minerals "
        "as well.",
    ),
)

# (pair, answer)
COMPARISONS: tuple[tuple[str, str, str], ...] = (
    (
        "a list",
        "a tuple in Python",
        "Both hold ordered sequences, but a list is mutable and a tuple is not. You can append to, remove "
        "from or change items in a list, while a tuple is fixed once created. Tuples are hashable when their "
        "items are, so they can be dictionary keys, and they signal that the data should not change.",
    ),
    (
        "RAM",
        "storage",
        "RAM is fast, temporary memory that holds the programs and data in use right now; its contents "
        "vanish when the power goes off. Storage, such as an SSD or hard drive, is slower but keeps data "
        "permanently. More RAM lets you run more at once, while more storage lets you keep more files.",
    ),
    (
        "a simile",
        "a metaphor",
        "A simile compares two things using 'like' or 'as', for example 'her voice was like honey'. A "
        "metaphor makes the comparison directly, saying one thing is another: 'her voice was honey'. Both "
        "highlight a shared quality; the metaphor is usually the stronger image.",
    ),
    (
        "weathering",
        "erosion",
        "Weathering breaks rock down where it sits, through frost, heat, chemical reactions or roots. "
        "Erosion is the transport of the broken material by water, wind, ice or gravity. Weathering prepares "
        "the pieces and erosion carries them away.",
    ),
    (
        "TCP",
        "UDP",
        "TCP sets up a connection, numbers every packet, resends lost ones and delivers data in order, which "
        "suits web pages and file transfers. UDP just sends packets with no guarantee of delivery or order, "
        "which makes it lighter and faster. It suits live audio, video and games, where a late packet is "
        "useless anyway.",
    ),
    (
        "an alligator",
        "a crocodile",
        "Alligators have a broad, U-shaped snout and, with the mouth closed, their lower teeth are mostly "
        "hidden. Crocodiles have a narrower, V-shaped snout and the fourth lower tooth stays visible. "
        "Alligators live mainly in fresh water in the United States and China, while crocodiles are more "
        "widespread and tolerate salt water better.",
    ),
    (
        "a debit card",
        "a credit card",
        "A debit card spends money that is already in your bank account, so you cannot normally spend more "
        "than you have. A credit card borrows from the card issuer up to a limit, and you repay later; if "
        "you do not pay the full balance, you are charged interest. Credit cards often offer stronger "
        "purchase protection.",
    ),
    (
        "mitosis",
        "meiosis",
        "Mitosis is the division that produces two identical cells with the full set of chromosomes, used "
        "for growth and repair. Meiosis takes two rounds of division to produce four cells with half the "
        "chromosomes each, each genetically different. Meiosis makes eggs and sperm.",
    ),
    (
        "a compiler",
        "an interpreter",
        "A compiler translates a whole program into machine code or another lower-level form before it runs. "
        "An interpreter reads and executes the program step by step as it goes. Compiled programs usually "
        "run faster; interpreted ones are easier to try out quickly. Many languages combine both approaches.",
    ),
    (
        "speed",
        "velocity",
        "Speed tells you how fast something is moving, for example 20 metres per second. Velocity adds the "
        "direction: 20 metres per second due north. A car driving around a roundabout at a constant speed is "
        "changing its velocity all the time, because its direction changes.",
    ),
    (
        "a lake",
        "a pond",
        "There is no strict rule, but lakes are generally larger and deeper. In a pond, sunlight usually "
        "reaches the bottom everywhere so plants can root across it, while a lake has deep areas too dark "
        "for rooted plants. Lakes also tend to form temperature layers in summer.",
    ),
    (
        "affect",
        "effect",
        "In everyday use 'affect' is a verb meaning to influence, as in 'the rain affected the match', and "
        "'effect' is a noun meaning a result, as in 'the rain had an effect on the match'. 'Effect' can also "
        "be a verb meaning to bring about, as in 'to effect change'.",
    ),
    (
        "a hurricane",
        "a tornado",
        "A hurricane is a huge rotating storm system hundreds of kilometres wide that forms over warm ocean "
        "water and can last for days. A tornado is a narrow, violently spinning column of air reaching down "
        "from a thunderstorm, usually less than a kilometre wide and lasting minutes. Tornado winds can be "
        "stronger, but hurricanes affect a far larger area.",
    ),
    (
        "HTTP",
        "HTTPS",
        "Both are the protocol browsers use to fetch web pages. HTTPS wraps the exchange in TLS encryption, "
        "so others on the network cannot read or alter what is sent, and the certificate helps confirm you "
        "are talking to the real site. Plain HTTP sends everything in clear text.",
    ),
    (
        "a stock",
        "a bond",
        "A stock is a share of ownership in a company; its value rises and falls with the company's "
        "prospects, and it may pay dividends. A bond is a loan to a company or government that pays interest "
        "and returns the principal at a set date. Bonds are usually less volatile, while stocks offer more "
        "growth potential.",
    ),
    (
        "baking soda",
        "baking powder",
        "Baking soda is pure sodium bicarbonate and needs an acidic ingredient, such as buttermilk or lemon "
        "juice, to release carbon dioxide. Baking powder already contains baking soda plus a dry acid, so it "
        "only needs moisture and heat. Recipes with acidic ingredients often use soda; others use powder.",
    ),
)

# activity -> tips
TIPS: dict[str, tuple[str, ...]] = {
    "staying focused while studying": (
        "Put your phone in another room or switch on a focus mode.",
        "Work in blocks of 25 to 50 minutes with short breaks.",
        "Decide what you will finish in each block before you start.",
        "Keep water and a snack nearby so you do not wander off.",
        "Explain what you just learned out loud, as if teaching someone.",
    ),
    "saving money on groceries": (
        "Plan your meals for the week and shop from a list.",
        "Compare unit prices rather than package prices.",
        "Buy staples like rice, oats and beans in larger quantities.",
        "Cook extra portions and freeze them for busy days.",
        "Shop after eating, not when you are hungry.",
    ),
    "sleeping better": (
        "Go to bed and get up at the same time every day.",
        "Keep the bedroom dark, quiet and slightly cool.", "Avoid caffeine in the afternoon and evening.",
        "Stop using bright screens for half an hour before bed.",
        "Get some daylight in the morning to set your body clock.",
    ),
    "writing a clear email": (
        "Put the request or main point in the first two sentences.",
        "Use a subject line that says what the email is about.",
        "Keep paragraphs short and use a list for several items.",
        "Say exactly what you need and by when.",
        "Reread it once before sending and cut anything unnecessary.",
    ),
    "starting to run": (
        "Begin with intervals of running and walking.",
        "Increase your weekly distance by no more than about ten percent.",
        "Run at a pace where you can still talk.",
        "Invest in shoes that fit well.",
        "Take at least one rest day between runs at first.",
    ),
    "keeping houseplants alive": (
        "Check the soil with a finger and water only when the top few centimetres are dry.",
        "Place each plant according to its light needs.",
        "Use pots with drainage holes.",
        "Wipe dust off the leaves now and then.",
        "Feed lightly during the growing season and not in winter.",
    ),
    "learning a new language": (
        "Practise a little every day rather than a lot once a week.",
        "Learn the most common words first.",
        "Listen to podcasts or shows in the language, even if you understand little at first.",
        "Speak early, even with mistakes.",
        "Use spaced-repetition flashcards for vocabulary.",
    ),
    "reducing stress at work": (
        "Write down your tasks so they stop circling in your head.",
        "Tackle the hardest task when your energy is highest.", "Take short walks between meetings.",
        "Say no, or not now, to requests that do not fit.", "Keep work notifications off in the evening.",
    ),
    "giving a good presentation": (
        "Know your opening and closing lines by heart.",
        "Use slides for images and key numbers, not paragraphs.", "Rehearse out loud at least twice.",
        "Speak slower than feels natural.", "Finish with one clear takeaway.",
    ),
    "organising a small kitchen": (
        "Store the things you use daily within easy reach.",
        "Use wall hooks or rails for utensils and pans.", "Stack containers with matching lids.",
        "Keep counters mostly clear.", "Clear out duplicate gadgets you never use.",
    ),
    "making a long car journey comfortable": (
        "Stop every two hours to stretch and rest.", "Pack snacks and water within reach.",
        "Download music or podcasts beforehand.", "Check tyre pressure and fluids before you leave.",
        "Share the driving if you can.",
    ),
    "writing readable code": (
        "Choose names that say what a value means, not how it is stored.",
        "Keep functions short and focused on one job.",
        "Write comments that explain why, not what.",
        "Delete dead code instead of commenting it out.",
        "Format consistently, ideally with an automatic formatter.",
    ),
    "preparing for a job interview": (
        "Research the organisation and the role.",
        "Prepare short stories that show your skills with real examples.",
        "Practise answering common questions out loud.",
        "Prepare two or three questions to ask them.",
        "Plan your route so you arrive a few minutes early.",
    ),
    "reducing food waste": (
        "Check the fridge before shopping.",
        "Store fruit and vegetables properly so they last longer.",
        "Use leftovers in soups, omelettes or fried rice.",
        "Freeze bread and ripe bananas before they spoil.",
        "Understand that 'best before' dates are about quality, not safety.",
    ),
    "camping for the first time": (
        "Practise pitching the tent at home first.",
        "Bring layers, since nights can be much colder than days.",
        "Pack a head torch with spare batteries.", "Choose a campsite with facilities for your first trip.",
        "Keep food sealed and away from the tent.",
    ),
    "taking better photos with a phone": (
        "Clean the lens before shooting.", "Use natural light and avoid the flash when possible.",
        "Tap to focus on your subject.", "Use the grid lines to place the subject off centre.",
        "Get closer instead of zooming.",
    ),
}

# (word, definition)
DEFINITIONS: tuple[tuple[str, str], ...] = (
    ("ephemeral", "lasting for a very short time"),
    ("ubiquitous", "present or found everywhere"),
    ("meticulous", "showing great attention to detail"),
    ("resilient", "able to recover quickly from difficulty"),
    ("ambiguous", "open to more than one interpretation"),
    ("pragmatic", "dealing with things in a practical way"),
    ("benevolent", "kind and well meaning"),
    ("candid", "truthful and straightforward"),
    ("diligent", "showing care and effort in work"),
    ("eloquent", "fluent and persuasive in speaking or writing"),
    ("frugal", "careful not to waste money or resources"),
    ("gregarious", "fond of company; sociable"),
    ("inevitable", "certain to happen"),
    ("lucid", "expressed clearly and easy to understand"),
    ("nostalgia", "a sentimental longing for the past"),
    ("obsolete", "no longer in use or out of date"),
    ("plausible", "seeming reasonable or probable"),
    ("redundant", "no longer needed or useful; superfluous"),
    ("serendipity", "the finding of good things by chance"),
    ("tenacious", "holding firmly to a purpose; persistent"),
    ("verbose", "using more words than needed"),
    ("whimsical", "playfully unusual or fanciful"),
    ("altruism", "selfless concern for the well-being of others"),
    ("catalyst", "something that speeds up a change"),
    ("dormant", "temporarily inactive"),
    ("empathy", "the ability to understand and share another person's feelings"),
    ("hypothesis", "a proposed explanation that can be tested"),
    ("latency", "the delay before a transfer or response begins"),
    ("mitigate", "to make something less severe"),
    ("paradox", "a statement that seems to contradict itself but may be true"),
)

ACRONYMS: tuple[tuple[str, str, str], ...] = (
    ("CPU", "central processing unit", "the chip that executes a computer's instructions"),
    ("RAM", "random-access memory", "the fast working memory a computer uses for running programs"),
    ("HTTP", "Hypertext Transfer Protocol", "the protocol browsers use to request web pages"),
    ("DNA", "deoxyribonucleic acid", "the molecule that carries genetic instructions"),
    ("GDP", "gross domestic product", "the total value of goods and services produced in an economy"),
    ("URL", "uniform resource locator", "the address of a resource on the web"),
    ("LED", "light-emitting diode", "a semiconductor that emits light when current flows through it"),
    ("PDF", "Portable Document Format", "a file format that keeps a document's layout the same everywhere"),
    ("GPS", "Global Positioning System", "a satellite system for finding position and time"),
    ("SQL", "Structured Query Language", "a language for querying and managing relational databases"),
    (
        "UNESCO",
        "United Nations Educational, Scientific and Cultural Organization",
        "a UN agency for education, science and culture",
    ),
    ("NASA", "National Aeronautics and Space Administration", "the United States' space agency"),
    ("ATM", "automated teller machine", "a machine for withdrawing cash and other banking tasks"),
    (
        "Wi-Fi",
        "a trademark name rather than a true acronym",
        "wireless local networking based on the IEEE 802.11 standards",
    ),
    ("JSON", "JavaScript Object Notation", "a lightweight text format for structured data"),
    ("RSVP", "répondez s'il vous plaît", "a request to reply to an invitation"),
    ("CEO", "chief executive officer", "the highest-ranking executive in a company"),
    ("FAQ", "frequently asked questions", "a list of common questions and their answers"),
    ("HTML", "HyperText Markup Language", "the markup language that structures web pages"),
    ("USB", "Universal Serial Bus", "a standard for connecting devices and charging them"),
)
