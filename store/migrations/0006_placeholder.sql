-- local placeholder for issue 15 (never committed)
SELECT 1;
