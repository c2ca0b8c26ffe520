-- Items keep the case number printed with them (sagsnummer) and any further sections
-- under their own headings ("Resumé", "Lovgrundlag", "Sagens forløb", …) as a JSON list
-- of {"heading", "text"}, read and written with the item.
ALTER TABLE items ADD COLUMN case_number TEXT;
ALTER TABLE items ADD COLUMN sections TEXT NOT NULL DEFAULT '[]';
