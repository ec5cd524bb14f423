"""The bundle: the folder of static files a host serves.

format.py    the rules: FORMAT_VERSION, content names, HTTP headers, reading sitebot.json
writer.py    BundleWriter: a temporary folder swapped into place when complete
manifest.py  every file of a build and the sitebot.json that names them
"""
