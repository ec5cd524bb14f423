// The sitebot.json format this runtime reads. Python's generator/sitebot/bundle/format.py
// holds the same number (FORMAT_VERSION); a test keeps the two equal.
export const FORMAT_VERSION = 2;
