#include <stdio.h>

int main(void)
{
	printf("kapsel version %s\n", KAPSEL_VERSION);
	return 0;
}
