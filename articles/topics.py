"""The topics that group articles on the home page, in reading order."""

from django.utils.translation import gettext_lazy as _

TOPICS = (
    ("basics", _("Understanding TMS")),
    ("evidence", _("Benefits and risks")),
    ("deciding", _("Deciding about TMS")),
    ("treatment", _("Having TMS")),
    ("about", _("Questions, terms and this site")),
)
TOPIC_ORDER = {key: index for index, (key, _label) in enumerate(TOPICS)}
