-- What an edit changed: the record before and after, as JSON, for the administrators'
-- change log. Imports and other bulk writes leave them empty.
ALTER TABLE changes ADD COLUMN before_json TEXT;
ALTER TABLE changes ADD COLUMN after_json TEXT;
