"""Domain rules: the legal deadline, phone numbers, calendar files, the flyer."""
