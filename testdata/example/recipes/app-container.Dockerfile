FROM {{{ imagebuilder:parentImage }}}
{{{ imagebuilder:environments }}}
{{{ imagebuilder:components }}}
CMD ["/bin/bash", "/opt/shop/bin/start.sh"]
