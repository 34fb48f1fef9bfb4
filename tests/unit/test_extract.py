"""Main-text extraction of article pages (`bot.ingest.extract`), on hand-written pages."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.ingest.extract import MAX_BYTES, extract_main_text
from bot.ingest.normalize import clean_text

URL = "https://news.example.org/2024/05/harbour-reopens"

PARAS = [
    "The harbour of Port Alder reopened on Tuesday after a week of repairs, the port authority "
    "said, allowing fishing boats and the morning ferry to return to their usual berths.",
    "Engineers replaced two damaged sections of the northern breakwater, which storms had "
    "cracked in April, and dredged the entrance channel to its full depth of nine metres.",
    "Local traders welcomed the news. \u201cWe lost a week of business, but the work was "
    "needed,\u201d said Mira Olsen, who runs a fish shop on the quay.",
    "The authority said a second phase of repairs, on the southern pier, would begin in "
    "September and should not disturb traffic.",
]

NEWS_PAGE = f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>Harbour reopens | Example News</title>
<script>var tracking = "Subscribe now to read more stories like this one, every day";</script>
<style>.promo {{ color: red }}</style></head>
<body>
<header class="site-header"><a href="/">Example News</a>
  <nav><ul><li><a href="/world">World news and analysis from everywhere</a></li>
  <li><a href="/sport">Sport results, fixtures and league tables</a></li></ul></nav></header>
<div id="cookie-banner">We use cookies to improve your experience on this website. Accept?</div>
<div class="layout has-sidebar">
 <main>
  <article>
   <h1>Harbour of Port Alder reopens after repairs</h1>
   <div class="byline">By Jan Berg, 14 May 2024, 09:12</div>
   <div class="share-tools"><a href="#">Share on Facebook</a> <a href="#">Share by e-mail</a></div>
   <p>{PARAS[0]}</p>
   <p>{PARAS[1]}</p>
   <figure><img src="/pier.jpg"><figcaption>The northern breakwater, photographed in April
   by the port authority after the storms.</figcaption></figure>
   <p>{PARAS[2]}</p>
   <p>{PARAS[3]}</p>
   <div class="related-stories"><h3>Related</h3><ul>
    <li><a href="/a">Storm damage closes the harbour for a week of repairs</a></li>
    <li><a href="/b">Ferry timetable changes for the summer season announced</a></li></ul></div>
  </article>
  <section id="comments"><h3>3 comments</h3>
   <p>What a relief, my cousin has been waiting to take the ferry for days now, thank you.</p>
   <p>The breakwater should have been repaired years ago, this is a scandal, really.</p>
  </section>
 </main>
 <aside class="sidebar"><h3>Most read</h3>
  <p>Council approves the new budget for schools and roads, after a long debate.</p></aside>
</div>
<div class="newsletter-signup">Get our newsletter: the day's news in your inbox, each morning.</div>
<footer><p>Copyright Example News 2024. All rights reserved. Contact us at the address.</p>
</footer></body></html>"""

CHROME_TEXTS = [
    "Subscribe now",
    "World news and analysis",
    "We use cookies",
    "Share on Facebook",
    "photographed in April",
    "Ferry timetable changes",
    "my cousin has been waiting",
    "Council approves",
    "Get our newsletter",
    "Copyright Example News",
    "By Jan Berg",
]


def paragraphs(text: str) -> list[str]:
    return [p.strip() for p in text.split("\n\n") if p.strip()]


def test_news_page_yields_the_article_paragraphs_without_page_chrome() -> None:
    """On a news page with navigation, a cookie banner, share buttons, a figure caption,
    related links, comments, a sidebar and a footer, only the article's paragraphs come out,
    in order, one per blank-line-separated block, and the headline is not repeated."""
    text = extract_main_text(NEWS_PAGE.encode(), url=URL)
    assert paragraphs(text) == PARAS
    for chrome in [*CHROME_TEXTS, "Harbour of Port Alder reopens"]:
        assert chrome not in text


def test_page_without_article_element_is_found_by_its_paragraph_text() -> None:
    """Without <article> or itemprop, the container holding the paragraph text wins over link
    lists and short blocks around it."""
    page = NEWS_PAGE.replace("<article>", '<div class="story">').replace("</article>", "</div>")
    text = extract_main_text(page.encode(), url=URL)
    assert paragraphs(text) == PARAS


def test_article_body_itemprop_is_preferred() -> None:
    """An element marked itemprop=articleBody is taken as the article, even when a longer
    block of text (here a reader-letters section with no telling class) is on the page."""
    letters = "".join(f"<p>Letter {i}: {PARAS[i % 4]}</p>" for i in range(8))
    page = f"""<html><body><div>{letters}</div>
    <div itemprop="articleBody"><p>{PARAS[0]}</p><p>{PARAS[1]}</p></div></body></html>"""
    assert paragraphs(extract_main_text(page.encode(), url=URL)) == PARAS[:2]


def test_br_separated_article_keeps_its_paragraphs() -> None:
    """An article written as text between <br><br> (no <p>) is found, each piece becoming a
    paragraph; link lists beside it stay out."""
    body = "<br><br>\n".join(PARAS)
    page = f"""<html><body>
    <div class="menu-links"><a href="/1">Home page of the newspaper</a><br>
    <a href="/2">Regional news from the north coast</a></div>
    <table><tr><td class="links"><a href="/x">Archive of older stories from last year</a></td>
    <td class="text"><b>PORT ALDER</b> &ndash; {body}</td></tr></table>
    </body></html>"""
    text = extract_main_text(page.encode(), url=URL)
    got = paragraphs(text)
    assert got[0] == "PORT ALDER \u2013 " + PARAS[0]
    assert got[1:] == PARAS[1:]
    assert "Archive of older stories" not in text
    assert "Regional news" not in text


def test_div_only_article_is_found() -> None:
    """An article whose paragraphs are bare <div>s (no <p>, no <article>) is found, and a
    neighbouring block of short link-only <div>s is not."""
    body = "".join(f"<div>{p}</div>" for p in PARAS)
    links = "".join(
        f'<div><a href="/{i}">Another headline number {i} here</a></div>' for i in range(6)
    )
    page = f"<html><body><div id='x1'>{links}</div><div id='x2'>{body}</div></body></html>"
    text = extract_main_text(page.encode(), url=URL)
    assert paragraphs(text) == PARAS
    assert "Another headline" not in text


ZH_PARAS = [
    "国务院总理朱镕基今天在北京主持召开国务院常务会议，研究部署进一步加强农田水利建设的工作。",
    "会议指出，近年来各地加大投入，水利设施明显改善，但一些地区灌溉能力仍然不足，抗旱能力较弱。",
    "会议要求，各级政府要把农田水利建设作为重点，确保资金落实到位，并加强工程质量监督。",
]


def zh_page(charset: str) -> str:
    body = "".join(f"<p>{p}</p>" for p in ZH_PARAS)
    return f"""<html><head><meta http-equiv="Content-Type" content="text/html; charset={charset}">
    <title>新闻</title></head><body>
    <div class="nav"><a href="/">首页</a> <a href="/gn">国内新闻频道</a>
    <a href="/gj">国际新闻</a></div>
    <div class="main-text">{body}</div>
    <div class="related"><a href="/1">相关新闻：水利部召开全国会议部署抗旱工作</a></div>
    </body></html>"""


@pytest.mark.parametrize("charset", ["utf-8", "gb2312"])
def test_chinese_page_is_extracted_in_characters_not_words(charset: str) -> None:
    """A Chinese page (no spaces between words, short paragraphs by character count) yields
    its paragraphs; declared gb2312 but holding a GBK-only character (镕), it is still read
    right, as browsers read gb2312 as GBK."""
    encoded = zh_page(charset).encode("gbk" if charset == "gb2312" else charset)
    text = extract_main_text(encoded, url=URL)
    assert paragraphs(text) == ZH_PARAS
    assert "相关新闻" not in text
    assert "国内新闻频道" not in text


SCRIPT_PARAS = {
    "th": [
        "กรุงเทพมหานครประกาศปิดถนนราชดำเนินชั่วคราวในวันเสาร์นี้เพื่อจัดงานเฉลิมฉลองประจำปี",
        "ผู้ว่าราชการกล่าวว่าประชาชนสามารถใช้รถไฟฟ้าและเรือโดยสารแทนได้ตลอดทั้งวัน",
    ],
    "ar": [
        "أعلنت وزارة الصحة اليوم عن افتتاح مستشفى جديد في مدينة الإسكندرية، يضم مئتي سرير.",
        "وقال الوزير إن المستشفى سيخدم أكثر من نصف مليون مواطن، وسيبدأ العمل الشهر المقبل.",
    ],
    "ja": [
        "気象庁は二十日、関東甲信地方が梅雨明けしたとみられると発表した。平年より一日早い。",
        "今後一週間は晴れて気温の高い日が多く、熱中症への警戒が必要だという。",
    ],
}


@pytest.mark.parametrize("lang", sorted(SCRIPT_PARAS))
def test_thai_arabic_and_japanese_articles_are_extracted(lang: str) -> None:
    """Thai (no spaces at all), Arabic (its own comma) and Japanese articles of two short
    paragraphs are found beside a menu of links in the same script."""
    paras = SCRIPT_PARAS[lang]
    menu = "".join(f'<li><a href="/{i}">{paras[0][: 12 + i]}</a></li>' for i in range(5))
    body = "".join(f"<p>{p}</p>" for p in paras)
    page = f"<html><body><ul class='menu'>{menu}</ul><div>{body}</div></body></html>"
    assert paragraphs(extract_main_text(page.encode(), url=URL)) == paras


@pytest.mark.parametrize(
    "page",
    [
        b"",
        b"   \n ",
        b"<html><head><title>Nothing here</title></head><body></body></html>",
        b"<html><body><nav><a href='/'>Home</a> <a href='/news'>News</a></nav></body></html>",
        b"<html><body><p>Short note.</p></body></html>",
        b"<script>document.location = 'https://example.org/real-article-is-elsewhere';</script>",
    ],
    ids=["empty", "blank", "empty-body", "nav-only", "too-short", "redirect-script"],
)
def test_page_without_article_gives_empty_text(page: bytes) -> None:
    """An empty page, a page of navigation only, a one-line note or a script redirect has no
    article: the result is the empty string."""
    assert extract_main_text(page, url=URL) == ""


def test_http_charset_and_meta_charset_decode_legacy_pages() -> None:
    """A Latin-1 page is read right from its <meta charset>, and from the HTTP charset when
    the page declares none."""
    para = (
        "Le café de la Gare a rouvert ses portes, après des travaux, à la grande joie des habitués."
    )
    page = f"<html><head>{{}}</head><body><div><p>{para}</p></div></body></html>"
    with_meta = page.format('<meta charset="iso-8859-1">').encode("latin-1")
    assert extract_main_text(with_meta, url=URL) == para
    without_meta = page.format("").encode("latin-1")
    assert extract_main_text(without_meta, url=URL, charset="ISO-8859-1") == para


def test_utf16_page_is_read() -> None:
    """A page sent in UTF-16 with a byte-order mark is decoded and extracted."""
    page = f"<html><body><p>{PARAS[0]}</p></body></html>"
    assert extract_main_text(page.encode("utf-16"), url=URL) == PARAS[0]


def test_hidden_elements_and_wrapping_form_are_handled() -> None:
    """Text in display:none or hidden elements is left out, while an ASP.NET-style <form>
    wrapping the whole page does not hide the article inside it."""
    page = f"""<html><body><form id="aspnetForm" action="/x">
    <div style="display: none">A hidden teaser paragraph that readers never see on the page.</div>
    <div hidden>Another hidden text block, kept for scripts to show later on.</div>
    <div class="content"><p>{PARAS[0]}</p><p>{PARAS[1]}</p></div></form></body></html>"""
    text = extract_main_text(page.encode(), url=URL)
    assert paragraphs(text) == PARAS[:2]


def test_unclosed_tags_and_stray_end_tags_keep_the_article() -> None:
    """Sloppy HTML (unclosed <p> and <div>, stray end tags, an unclosed masthead <div>) still
    yields the paragraphs."""
    body = "".join(f"<p>{p}" for p in PARAS)
    page = f"""<html><head><title>t</title><body><div class="masthead"><a href="/">Logo</a>
    </span></b><div class="story">{body}</i></td>"""
    assert paragraphs(extract_main_text(page.encode(), url=URL)) == PARAS


def test_deeply_nested_page_does_not_crash() -> None:
    """A page nested 20,000 elements deep is handled without a recursion error: elements past
    the depth limit are flattened into the deepest one kept, so their text still comes out."""
    body = "".join(f"<p>{p}</p>" for p in PARAS)
    page = "<div>" * 20_000 + body + "</div>" * 20_000
    assert paragraphs(extract_main_text(page.encode(), url=URL)) == PARAS


def test_input_beyond_the_size_cap_is_ignored() -> None:
    """Only the first MAX_BYTES of a page are read: an article at the top of a huge page is
    extracted, and text placed after the cap never appears."""
    filler = "<div>" + "x" * 200 + "</div>"
    page = f"<div><p>{PARAS[0]}</p><p>{PARAS[1]}</p></div>" + filler * (MAX_BYTES // len(filler))
    page += "<p>This paragraph sits beyond the cap and must never be read by the extractor.</p>"
    text = extract_main_text(page.encode(), url=URL)
    assert paragraphs(text)[:2] == PARAS[:2]
    assert "beyond the cap" not in text


@pytest.mark.timeout(30)
@pytest.mark.parametrize("unit", ["<<a<<b", "<a ", "</", "<!", "<a b='"])
def test_pathological_markup_finishes(unit: str) -> None:
    """Megabytes of broken markup that make html.parser quadratic (many "<" and no ">") are
    handled in bounded time; what comes out is the stray text, never more than the input."""
    page = unit * (MAX_BYTES // len(unit) + 1000)
    text = extract_main_text(page.encode(), url=URL)
    assert len(text) <= MAX_BYTES
    assert set(text) <= set(unit)


@settings(max_examples=150, deadline=None)
@given(
    st.lists(
        st.one_of(
            st.sampled_from(["<p>", "</p>", "<div>", "</div>", "<br>", "<a href=x>", "</a>",
                             "<script>", "</script>", "<nav>", "</nav>", "<article>", "&amp;",
                             "<li>", "<table><td>", "<!--", "-->", "\n\n", "，", "\u200b"]),
            st.text(min_size=0, max_size=60),
        ),
        max_size=60,
    )
)  # fmt: skip
def test_any_markup_gives_clean_text_or_nothing(parts: list[str]) -> None:
    """Whatever the markup, extraction does not fail, and its result is normalised text (as
    `clean_text` leaves it) with at most one blank line between paragraphs."""
    text = extract_main_text("".join(parts).encode("utf-8", "surrogatepass"), url=URL)
    assert text == clean_text(text)
    assert "\n\n\n" not in text
