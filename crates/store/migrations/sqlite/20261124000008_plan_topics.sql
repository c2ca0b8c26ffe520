-- The body's forward plan: topics for a coming meeting (with the date wanted) and topics
-- awaiting a date. A topic is pulled into a draft agenda as an item; it then records the
-- meeting it went to and leaves the plan.
CREATE TABLE plan_topics (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    body_code     TEXT NOT NULL,
    title         TEXT NOT NULL,
    wanted_date   TEXT,
    added_by      TEXT NOT NULL,
    added_at      TEXT NOT NULL,
    pulled_to     TEXT,
    pulled_at     TEXT
);
CREATE INDEX plan_topics_body ON plan_topics(body_code);
