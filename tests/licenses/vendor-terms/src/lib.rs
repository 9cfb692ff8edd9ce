// Nothing to build: only the licence above matters.
