-- local placeholder for issue 18 (never committed)
SELECT 1;
