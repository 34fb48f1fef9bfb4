"""Folding, sentence splitting and words: what matching sees of a text."""

from __future__ import annotations

import unicodedata

from hypothesis import given
from hypothesis import strategies as st

from bot.analyze.hanzi import simplified
from bot.analyze.text import fold, fold_str, sentence_bounds, sentences, tokenize


def test_fold_ignores_case_width_and_diacritics() -> None:
    """`ＲＵＳＩＡ`, `Rúsia` and `rusia` are the same word to matching."""
    assert fold_str("ＲＵＳＩＡ") == fold_str("Rúsia") == fold_str("rusia") == "rusia"
    assert fold_str("Việt Nam") == "viet nam"
    assert fold_str("Россией") == fold_str("РОССИЕЙ")


def test_fold_keeps_meaningful_marks_of_indic_and_thai() -> None:
    """Vowel signs in Hindi and Thai are letters, not accents: folding keeps them."""
    assert fold_str("रूसी") == "रूसी"
    assert fold_str("รัสเซีย") == "รัสเซีย"


def test_fold_maps_offsets_back_when_lengths_change() -> None:
    """A hit found in folded text can be located in the original (ß -> ss, combining marks)."""
    original = "Die Straße nach Mosk\u0301au"
    folded = fold(original)
    start = folded.text.index("moskau")
    a, b = folded.to_original(start, start + len("moskau"))
    assert original[a:b] == "Mosk\u0301au"


def test_fold_of_plain_ascii_keeps_offsets() -> None:
    """ASCII text needs no offset map: folded offsets are original offsets."""
    folded = fold("North KOREA")
    assert folded.text == "north korea"
    assert folded.to_original(6, 11) == (6, 11)


def test_sentences_split_on_cjk_and_devanagari_ends() -> None:
    """`。`, `！`, `।` end sentences without a following space."""
    assert sentences("北朝鮮が発射。ロシアも！次") == ["北朝鮮が発射。", "ロシアも！", "次"]
    assert sentences("रूस ने कहा। भारत ने जवाब दिया।") == ["रूस ने कहा।", "भारत ने जवाब दिया।"]


def test_sentences_split_on_question_and_exclamation_marks() -> None:
    """`?` and `!` followed by a space end a sentence."""
    assert sentences("Is it war? No! Not yet.") == ["Is it war?", "No!", "Not yet."]


def test_thai_spaces_are_not_sentence_ends() -> None:
    """Thai separates phrases with spaces; only punctuation or line breaks end a sentence."""
    text = "เกาหลีเหนือยิงขีปนาวุธ รัสเซียแสดงความกังวล"
    assert sentences(text) == [text]


def test_abbreviations_and_initials_do_not_end_sentences() -> None:
    """`U.S. President` and `Mr. Kim` stay inside one sentence."""
    text = "The U.S. President met Mr. Kim in Singapore. Talks went well."
    assert len(sentence_bounds(text)) == 2


def test_tokenize_counts_each_cjk_character_as_a_word() -> None:
    """Word windows (`near: 5`) count CJK characters one by one and spaced words whole."""
    assert tokenize("Kim Jong Un 北朝鮮") == ["kim", "jong", "un", "北", "朝", "鲜"]


def test_traditional_and_simplified_chinese_fold_alike() -> None:
    """`關稅` and `关税` are one word to matching, as `台灣`, `臺灣` and `台湾` are; each character
    folds on its own, so offsets stay those of the original."""
    assert fold_str("關稅") == fold_str("关税") == "关税"
    assert fold_str("臺灣") == fold_str("台灣") == fold_str("台湾") == "台湾"
    assert fold_str("美國對華加徵關稅") == "美国对华加征关税"
    assert fold("臺灣總統").offsets is None
    assert fold_str("東京の電車") == fold_str("东京の电车")  # Japanese kanji fold too


@given(st.text(alphabet=sorted(simplified())[::7], max_size=30))
def test_every_traditional_character_folds_once_and_for_all(text: str) -> None:
    """A traditional text folds to its characters' simplified forms, with none left to fold."""
    folded = fold_str(text)
    assert len(folded) == len(text)
    assert not set(folded) & set(simplified())


_TEXT = st.text(
    alphabet=st.characters(codec="utf-8", exclude_categories=("Cs", "Co", "Cn")), max_size=60
)


@given(_TEXT)
def test_fold_is_idempotent(text: str) -> None:
    """Folding folded text changes nothing."""
    once = fold_str(text)
    assert fold_str(once) == once


@given(_TEXT)
def test_offsets_always_point_inside_the_original(text: str) -> None:
    """Every folded character maps to a position of the original text, in order."""
    folded = fold(text)
    if folded.offsets is not None:
        assert len(folded.offsets) == len(folded.text)
        assert list(folded.offsets) == sorted(folded.offsets)
        assert all(0 <= o < len(text) for o in folded.offsets)
    else:
        assert len(folded.text) == len(text)


@given(st.text(alphabet="abcdefghijklmnopqrstuvwxyz ", max_size=40))
def test_case_and_width_variants_fold_alike(text: str) -> None:
    """Upper case and full-width forms of a text fold to the same string as the text."""
    wide = "".join(chr(ord(c) + 0xFEE0) if c != " " else "\u3000" for c in text.upper())
    assert fold_str(text.upper()) == fold_str(text)
    assert fold_str(wide) == fold_str(text)
    assert fold_str(unicodedata.normalize("NFD", text)) == fold_str(text)


def test_a_long_word_ends_a_sentence_and_a_late_abbreviation_does_not() -> None:
    """A long word before a full stop ends a sentence; `(Dr.` after a long text does not."""
    long_word = "Pneumonoultramicroscopicsilicovolcanoconiosis"
    text = f"{long_word}. Next one. " + "word " * 500 + "(Dr. Kim came."
    assert len(sentence_bounds(text)) == 3


def test_every_middle_dot_folds_to_one() -> None:
    """Korean writes 북·러 with an interpunct or the araea (ㆍ), Japanese キム・ジョンウン with the
    katakana dot, full or half width: each folds to the same character, in place."""
    assert fold("북ㆍ러").text == fold("북·러").text == fold("북・러").text
    assert fold("キム･ジョンウン").text == fold("キム・ジョンウン").text
    assert len(fold("북ㆍ러").text) == 3
