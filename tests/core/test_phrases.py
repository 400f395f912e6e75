"""Phrases: English sentences that remember their template, for the window to translate."""

from __future__ import annotations

import json
import pickle

from botocore.exceptions import ClientError, ReadTimeoutError

from s3desk.core.phrases import Phrase, phrase
from s3desk.core.storage.errors import describe_error, retrying_note


def test_a_phrase_is_its_english_sentence_everywhere_a_string_goes() -> None:
    text = phrase("Bucket '{bucket}' does not exist", bucket="photos")
    assert text == "Bucket 'photos' does not exist"
    assert isinstance(text, str)
    assert json.dumps({"error": text}) == '{"error": "Bucket \'photos\' does not exist"}'
    assert f"Failed — {text}" == "Failed — Bucket 'photos' does not exist"
    assert (text.template, text.values) == (
        "Bucket '{bucket}' does not exist",
        {"bucket": "photos"},
    )


def test_a_phrase_keeps_its_template_across_processes() -> None:
    """Job rows reach the window from the engine's own process, pickled."""
    note = retrying_note(2, 5, ReadTimeoutError(endpoint_url="http://x"))
    copy = pickle.loads(pickle.dumps(note))
    assert copy == note == "Retrying (2/4) — timed out"
    assert isinstance(copy, Phrase) and copy.template == "Retrying ({attempt}/{retries}) — {reason}"
    reason = copy.values["reason"]
    assert isinstance(reason, Phrase) and reason.template == "timed out"


def test_errors_from_the_table_are_phrases_with_the_bucket_filled_in() -> None:
    exc = ClientError({"Error": {"Code": "NoSuchBucket", "Message": "x"}}, "PutObject")
    text = describe_error(exc, "archive-2019", "a.txt")
    assert isinstance(text, Phrase)
    assert text == "Bucket 'archive-2019' does not exist. Check the bucket name in the destination"
    assert text.values == {"bucket": "archive-2019", "key": "a.txt"}


def test_braces_in_values_are_not_read_as_fields() -> None:
    text = phrase("Cannot read the file: {reason}", reason="odd {name}")
    assert text == "Cannot read the file: odd {name}"
