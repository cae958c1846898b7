-- Invoices finance can file (docs/billing.md "The invoice document"): the bank line of the payee a
-- contract may give, and a finalized invoice keeps its tax rate and bank line as issued. Each
-- stored line keeps the figures its words quote (`Line.facts`, JSON with decimals as strings), so
-- it can be described in either language; lines stored before this migration have none and are
-- described from their own fields. The tax rate of invoices stored before it is the contract's.
ALTER TABLE contracts ADD COLUMN payee_bank VARCHAR;
ALTER TABLE invoices ADD COLUMN tax_rate DECIMAL(9, 6);
ALTER TABLE invoices ADD COLUMN payee_bank VARCHAR;
UPDATE invoices SET tax_rate = c.tax_rate FROM contracts c WHERE c.contract_id = invoices.contract_id;
ALTER TABLE invoice_lines ADD COLUMN facts VARCHAR DEFAULT '{}';
