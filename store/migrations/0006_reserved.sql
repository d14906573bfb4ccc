-- 0006 is issue 15's migration; this placeholder keeps the numbers without
-- gaps on the watches branch until that one is merged, and is then deleted.
SELECT 1;
