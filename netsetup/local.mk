# netsetup sources (owned by that folder)
libkapsel_a_SOURCES += 
