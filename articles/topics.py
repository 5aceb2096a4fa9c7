"""The topics that group articles on the home page, in reading order."""

TOPICS = (
    ("basics", "Understanding TMS"),
    ("evidence", "Benefits and risks"),
    ("deciding", "Deciding about TMS"),
    ("treatment", "Having TMS"),
    ("about", "Questions, terms and this site"),
)
TOPIC_ORDER = {key: index for index, (key, _label) in enumerate(TOPICS)}
