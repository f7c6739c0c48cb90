from rest_framework.exceptions import ValidationError
from rest_framework.pagination import PageNumberPagination


class StandardPagination(PageNumberPagination):
    """`results`, `count`, `next`, `previous`; `?page_size=` up to 200.

    `page` and `page_size` are whole numbers from 1 (`page_size` at most 200): anything else
    is refused with 400 naming the parameter, never silently replaced by a default; a page
    past the last one is 404."""

    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 200
    last_page_strings = ()

    def _whole_number(self, request, name: str, maximum: int | None = None) -> int | None:
        raw = request.query_params.get(name)
        if raw is None:
            return None
        value = int(raw) if raw.isascii() and raw.isdecimal() else 0
        if value < 1 or (maximum is not None and value > maximum):
            limit = f" up to {maximum}" if maximum is not None else ""
            raise ValidationError({name: [f"Give a whole number from 1{limit}."]})
        return value

    def get_page_size(self, request):
        size = self._whole_number(request, self.page_size_query_param, self.max_page_size)
        return size or self.page_size

    def get_page_number(self, request, paginator):
        return self._whole_number(request, self.page_query_param) or 1

    def get_schema_operation_parameters(self, view):
        parameters = super().get_schema_operation_parameters(view)
        for parameter in parameters:
            parameter["schema"]["minimum"] = 1
            if parameter["name"] == self.page_size_query_param:
                parameter["schema"]["maximum"] = self.max_page_size
        return parameters
