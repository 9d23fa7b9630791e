-- Full-text conversation search (searchConversations, src/services/search.ts), in English, French and Arabic.
-- Prisma cannot express functions or expression indexes: they live here only (the migrations test ignores
-- them). The same IMMUTABLE functions build the indexes and the queries, so both read text the same way.
-- A function that calls another of these keeps the search_path it was created with: Postgres 17 (PGlite's)
-- runs index expressions during CREATE INDEX, VACUUM and ANALYZE with only pg_catalog on the path.

-- Trigrams: partial names, phone numbers and identifiers (LIKE '%…%' through a GIN index).
CREATE EXTENSION IF NOT EXISTS pg_trgm;

-- Text as search compares it: compatibility-decomposed (NFKD: é → e + accent, أ → ا + hamza, ligatures and
-- presentation forms → letters), combining marks removed (Latin accents; Arabic harakat U+064B–U+065F, so
-- also the hamza of أ إ ؤ ئ and the madda of آ; the superscript alef U+0670; the tatweel U+0640), lower case;
-- then ٱ → ا, ى → ي, ة → ه, Persian ی ک → ي ك, Arabic-Indic and Persian digits → ASCII, œ æ ß ø spelled
-- out, typographic quotes, dashes, no-break space and Arabic punctuation as their ASCII forms (so that they
-- separate words whatever the database's locale). Plain ASCII text only needs lower case. plpgsql with only
-- built-in functions: 25 µs a message instead of 60 with one long translate().
CREATE FUNCTION search_normalize(value text) RETURNS text
LANGUAGE plpgsql IMMUTABLE STRICT PARALLEL SAFE COST 200 AS $$
DECLARE
  folded text;
BEGIN
  IF value !~ '[^\x01-\x7F]' THEN
    RETURN lower(value);
  END IF;
  folded := lower(regexp_replace(normalize(value, NFKD), U&'[\0300-\036F\064B-\065F\0670\0640]+', '', 'g'));
  IF folded ~ '[^\x01-\x7F]' THEN
    folded := replace(replace(replace(translate(folded,
      U&'\0152\00C6\00D8\00F8\0110\0111\0141\0142\0131'
        || U&'\2019\2018\201C\201D\00AB\00BB\2013\2014\00A0\060C\061B\061F'
        || U&'\0671\0649\0629\06CC\06A9'
        || U&'\0660\0661\0662\0663\0664\0665\0666\0667\0668\0669\06F0\06F1\06F2\06F3\06F4\06F5\06F6\06F7\06F8\06F9',
      U&'\0153\00E6ooddlli'
        || '''''""""-- ,;?'
        || U&'\0627\064A\0647\064A\0643'
        || '01234567890123456789'),
      U&'\0153', 'oe'), U&'\00E6', 'ae'), U&'\00DF', 'ss');
  END IF;
  RETURN folded;
END
$$;

-- The digits of a phone number or identifier (ASCII, Arabic-Indic or Persian), for partial numbers typed
-- any way.
CREATE FUNCTION search_digits(value text) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT regexp_replace(translate(value,
    U&'\0660\0661\0662\0663\0664\0665\0666\0667\0668\0669\06F0\06F1\06F2\06F3\06F4\06F5\06F6\06F7\06F8\06F9',
    '01234567890123456789'), '[^0-9]+', '', 'g')
$$;

-- The words full-text search indexes: normalized, and the Arabic definite article (with a leading و ف ب ك)
-- taken off a word of two letters or more, so that طلب finds الطلب and والطلب. No stemmer: messages mix
-- languages; prefixes (search_query) find the English and French inflections instead.
CREATE FUNCTION search_words(value text) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE COST 500 SET search_path FROM CURRENT AS $$
  SELECT regexp_replace(search_normalize(value),
    U&'(^|[^\0621-\064A])[\0648\0641\0628\0643]?\0627\0644([\0621-\064A]{2})', '\1\2', 'g')
$$;

-- Its cost tells the planner that recomputing it row by row is dearer than the index (about 30 µs a message).
CREATE FUNCTION search_vector(value text) RETURNS tsvector
LANGUAGE sql IMMUTABLE PARALLEL SAFE COST 1000 SET search_path FROM CURRENT AS $$
  SELECT to_tsvector('simple'::regconfig, search_words(value))
$$;

-- What the user typed as a query: every word must match; a word of three characters or more also matches
-- as a prefix (refund → refunds, refunded; the word being typed). NULL when nothing searchable is left.
-- The lexemes are quoted for tsquery's own syntax, never parsed as operators.
CREATE FUNCTION search_query(value text) RETURNS tsquery
LANGUAGE sql IMMUTABLE PARALLEL SAFE SET search_path FROM CURRENT AS $$
  SELECT string_agg(
      '''' || replace(replace(lexeme, '\', '\\'), '''', '''''') || ''''
        || CASE WHEN char_length(lexeme) >= 3 THEN ':*' ELSE '' END,
      ' & ')::tsquery
  FROM unnest(to_tsvector('simple'::regconfig, search_words(value)))
$$;

-- A LIKE pattern matching the value anywhere (its own % _ \ taken literally).
CREATE FUNCTION search_like(value text) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT '%' || replace(replace(replace(value, '\', '\\'), '%', '\%'), '_', '\_') || '%'
$$;

CREATE INDEX "messages_search_idx" ON "messages" USING gin (search_vector("content"));
CREATE INDEX "contacts_name_search_idx" ON "contacts" USING gin (search_normalize("name") gin_trgm_ops);
CREATE INDEX "contacts_phone_search_idx" ON "contacts" USING gin (search_digits("phone") gin_trgm_ops);
CREATE INDEX "contact_identifiers_search_idx" ON "contact_identifiers"
  USING gin (search_normalize("external_id") gin_trgm_ops);
CREATE INDEX "contact_identifiers_digits_search_idx" ON "contact_identifiers"
  USING gin (search_digits("external_id") gin_trgm_ops);
