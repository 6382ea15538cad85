"""The languages the kiosk speaks, and each text field's translations beside it.

Every translated field is a plain column per language (``name``, ``name_es``,
``name_zh_hant``, ``name_fil``): the admin edits them side by side, queries and
migrations stay ordinary Django, and no third-party app is needed. The English column is
the source; a blank translation falls back to it, field by field.
"""

from django.db import models

DEFAULT_LANGUAGE = "en"
# (code the kiosk sends as ?lang=, lower case; name in that language)
LANGUAGES = (
    ("en", "English"),
    ("es", "Español"),
    ("zh-hant", "中文"),
    ("fil", "Filipino"),
)
TRANSLATED_LANGUAGES = tuple(code for code, _ in LANGUAGES if code != DEFAULT_LANGUAGE)
_ALIASES = {"zh": "zh-hant", "zh-tw": "zh-hant", "zh-hk": "zh-hant", "tl": "fil"}


def suffix(code):
    return code.replace("-", "_")


def normalize_language(value):
    """``?lang=`` as the API reads it: any case, a region ignored ("es-US"); unknown is English."""
    tag = (value or "").strip().lower().replace("_", "-")
    known = {code for code, _ in LANGUAGES}
    for candidate in (tag, _ALIASES.get(tag), tag.split("-")[0], _ALIASES.get(tag.split("-")[0])):
        if candidate in known:
            return candidate
    return DEFAULT_LANGUAGE


def translations(field_class, name, **options):
    """The translation columns of one English field, for a model body:

        title_es, title_zh_hant, title_fil = translations(models.CharField, "title", max_length=200)
    """
    options["blank"] = True
    options.setdefault("default", "")
    return tuple(
        field_class("%s (%s)" % (name.replace("_", " "), label), **options)
        for code, label in LANGUAGES
        if code != DEFAULT_LANGUAGE
    )


def localized(obj, name, language):
    """The field in ``language``, or the English text when that translation is blank."""
    if language != DEFAULT_LANGUAGE:
        value = getattr(obj, "%s_%s" % (name, suffix(language)), "")
        if value and value.strip():
            return value
    return getattr(obj, name)


def translated_names(name):
    return [name] + ["%s_%s" % (name, suffix(code)) for code in TRANSLATED_LANGUAGES]


def split_terms(text):
    """One term per line or between commas, blanks dropped, each once."""
    terms = []
    for line in (text or "").replace(";", "\n").replace(",", "\n").splitlines():
        term = line.strip()
        if term and term not in terms:
            terms.append(term)
    return terms


__all__ = [
    "DEFAULT_LANGUAGE", "LANGUAGES", "TRANSLATED_LANGUAGES", "localized", "models", "normalize_language",
    "split_terms", "suffix", "translated_names", "translations",
]
